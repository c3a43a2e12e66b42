// Licensed under the Apache License, Version 2.0.

using AgentCore.Extensions.AI.Testing;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentCore.Extensions.AI.Tests.Hosting;

/// <summary>Registration in DI: code, configuration sections, named runtimes, AWSOptions, IHttpClientFactory, validation at start.</summary>
public sealed class DependencyInjectionTests : IAsyncLifetime
{
    private LocalAgentRuntime _support = null!;
    private LocalAgentRuntime _billing = null!;

    public async Task InitializeAsync()
    {
        _support = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            RuntimeArn = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/support",
            Agent = i => AgentReply.JsonResult($"support answers '{i.Prompt}' ({i.Qualifier ?? "no qualifier"})"),
            VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
        });
        _billing = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            RuntimeArn = "arn:aws:bedrock-agentcore:eu-central-1:123456789012:runtime/billing",
            Agent = i => AgentReply.JsonResult($"billing answers '{i.Prompt}' ({i.Qualifier ?? "no qualifier"})"),
            VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
        });
    }

    public async Task DisposeAsync()
    {
        await _support.DisposeAsync();
        await _billing.DisposeAsync();
    }

    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public async Task AddAgentCoreChatClient_InCode_ReturnsTheBuilder_AndTheClientWorks()
    {
        var services = new ServiceCollection();
        int middlewareCalls = 0;
        services.AddAgentCoreChatClient(o =>
            {
                o.RuntimeArn = _support.RuntimeArn;
                o.Endpoint = _support.BaseAddress;
                o.Credentials = LocalAgentRuntime.TestCredentials;
            })
            .Use((messages, options, next, ct) => { middlewareCalls++; return next(messages, options, ct); });
        await using ServiceProvider provider = services.BuildServiceProvider();

        IChatClient client = provider.GetRequiredService<IChatClient>();
        ChatResponse response = await client.GetResponseAsync("hello");

        Assert.Equal("support answers 'hello' (no qualifier)", response.Text);
        Assert.Equal(1, middlewareCalls);
        Assert.NotNull(client.GetService<AgentCoreChatClient>());
        Assert.True(_support.Requests[^1].SignatureValid);
    }

    [Fact]
    public async Task DefaultSection_AndAwsOptionsCredentials()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Config(("AgentCore:RuntimeArn", _support.RuntimeArn), ("AgentCore:Endpoint", _support.BaseAddress.AbsoluteUri), ("AgentCore:Qualifier", "DEFAULT")));
        services.AddDefaultAWSOptions(new AWSOptions { Credentials = LocalAgentRuntime.TestCredentials });
        services.AddAgentCoreChatClient();
        await using ServiceProvider provider = services.BuildServiceProvider();

        ChatResponse response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("from config");

        Assert.Equal("support answers 'from config' (DEFAULT)", response.Text);
        Assert.True(_support.Requests[^1].SignatureValid);
    }

    [Fact]
    public async Task NamedRuntimes_FromJsonAndEnvironment_InheritFromTheAgentCoreSection()
    {
        string json = Path.GetTempFileName();
        await File.WriteAllTextAsync(json, $$"""
            {
              "AgentCore": {
                "Qualifier": "DEFAULT",
                "Endpoint": "{{_support.BaseAddress}}",
                "Runtimes": {
                  "support": { "RuntimeArn": "{{_support.RuntimeArn}}" },
                  "billing": { "RuntimeArn": "overridden by the environment", "Qualifier": "production" }
                }
              }
            }
            """);
        using var environment = new EnvironmentScope(
            ("AgentCore__Runtimes__billing__RuntimeArn", _billing.RuntimeArn),
            ("AgentCore__Runtimes__billing__Endpoint", _billing.BaseAddress.AbsoluteUri));
        IConfiguration configuration = new ConfigurationBuilder().AddJsonFile(json).AddEnvironmentVariables().Build();
        var services = new ServiceCollection();
        services.AddDefaultAWSOptions(new AWSOptions { Credentials = LocalAgentRuntime.TestCredentials });

        IReadOnlyList<string> names = services.AddAgentCoreRuntimes(configuration);
        await using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Equal(["billing", "support"], names);
        Assert.Equal("support answers 'hi' (DEFAULT)", (await provider.GetRequiredKeyedService<IChatClient>("support").GetResponseAsync("hi")).Text);
        Assert.Equal("billing answers 'hi' (production)", (await provider.GetRequiredKeyedService<IChatClient>("billing").GetResponseAsync("hi")).Text);
        Assert.Equal(_billing.RuntimeArn, provider.GetRequiredKeyedService<IChatClient>("billing").GetService<ChatClientMetadata>()!.DefaultModelId);
        File.Delete(json);
    }

    [Fact]
    public void NoRuntimesConfigured_IsAClearError()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddAgentCoreRuntimes(Config(("AgentCore:Qualifier", "x"))));
        Assert.Contains("AgentCore:Runtimes:{name}:RuntimeArn", e.Message);
    }

    [Theory]
    [InlineData("AgentCore:Runtimes:support:RuntimeArn", "not-an-arn", "AgentCore runtime 'support': AgentCoreChatClientOptions.RuntimeArn 'not-an-arn' is not an agent runtime ARN")]
    [InlineData("AgentCore:RuntimeSessionId", "short-session", "AgentCore runtime 'support': AgentCoreChatClientOptions.RuntimeSessionId must be 33 to 256 characters long, but has 13")]
    [InlineData("AgentCore:Region", "eu-west-1", "AgentCore runtime 'support': AgentCoreChatClientOptions.Region is 'eu-west-1' but the runtime ARN is in 'us-west-2'")]
    public async Task BadSettings_FailTheHostAtStart_NamingTheSetting(string key, string value, string expected)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentCore:Runtimes:support:RuntimeArn"] = _support.RuntimeArn,
            [key] = value,
        });
        builder.Services.AddAgentCoreRuntimes(builder.Configuration);
        using IHost host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task HttpGoesThroughIHttpClientFactory_UnderTheRuntimesName()
    {
        var services = new ServiceCollection();
        var seen = new List<string>();
        services.AddKeyedAgentCoreChatClient("support", o =>
        {
            o.RuntimeArn = _support.RuntimeArn;
            o.Endpoint = _support.BaseAddress;
            o.Credentials = LocalAgentRuntime.TestCredentials;
        });
        services.AddHttpClient(AgentCoreServiceCollectionExtensions.HttpClientName("support"))
            .AddHttpMessageHandler(() => new ObservingHandler(seen));
        await using ServiceProvider provider = services.BuildServiceProvider();

        await provider.GetRequiredKeyedService<IChatClient>("support").GetResponseAsync("hi");

        Assert.Equal("AgentCore:support", AgentCoreServiceCollectionExtensions.HttpClientName("support"));
        Assert.Equal([$"POST {_support.BaseAddress}runtimes/arn%3Aaws%3Abedrock-agentcore%3Aus-west-2%3A123456789012%3Aruntime%2Fsupport/invocations"], seen);
    }

    [Fact]
    public async Task PlainAddChatClient_WithTheClientConstructedByHand_AlsoWorks()
    {
        var services = new ServiceCollection();
        services.AddChatClient(_ => new AgentCoreChatClient(new AgentCoreChatClientOptions
        {
            RuntimeArn = _support.RuntimeArn,
            Endpoint = _support.BaseAddress,
            Credentials = LocalAgentRuntime.TestCredentials,
        }));
        await using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Equal("support answers 'hi' (no qualifier)", (await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi")).Text);
    }

    [Fact]
    public async Task RegisteredPipeline_NamesTheRuntimeInEveryRequest()
    {
        var services = new ServiceCollection();
        ChatOptions? seenByMiddleware = null;
        services.AddAgentCoreChatClient(o =>
            {
                o.RuntimeArn = _support.RuntimeArn;
                o.Endpoint = _support.BaseAddress;
                o.Credentials = LocalAgentRuntime.TestCredentials;
                o.Qualifier = "DEFAULT";
            })
            .Use((messages, options, next, ct) => { seenByMiddleware = options; return next(messages, options, ct); });
        await using ServiceProvider provider = services.BuildServiceProvider();
        var callerOptions = new ChatOptions();

        await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi", callerOptions);

        Assert.Equal(_support.RuntimeArn, seenByMiddleware!.ModelId);
        Assert.Equal("DEFAULT", seenByMiddleware.AdditionalProperties!["qualifier"]);
        Assert.Null(callerOptions.ModelId);
        Assert.Null(callerOptions.AdditionalProperties);
    }

    private sealed class ObservingHandler(List<string> seen) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Add($"{request.Method} {request.RequestUri}");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
