// Licensed under the Apache License, Version 2.0.

using System.Net;
using System.Text.Json;
using AgentCore.Extensions.AI.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Moq;
using Moq.Protected;

namespace AgentCore.Extensions.AI.Tests;

/// <summary>The IChatClient contract in the Microsoft.Extensions.AI provider style: construction, GetService, disposal, middleware.</summary>
public sealed class ClientContractTests
{
    [Fact]
    public void Constructor_NullOptions_Throws()
    {
        var e = Assert.Throws<ArgumentNullException>(() => new AgentCoreChatClient(null!));
        Assert.Equal("options", e.ParamName);
    }

    [Theory]
    [InlineData(null, "AgentCoreChatClientOptions.RuntimeArn is required")]
    [InlineData("my-agent", "is not an agent runtime ARN: it does not have the six ':'-separated parts of an ARN")]
    [InlineData("arn:aws:bedrock:us-west-2:123456789012:runtime/x", "the service is 'bedrock', not 'bedrock-agentcore'")]
    [InlineData("arn:aws:bedrock-agentcore:us-west-2:1234:runtime/x", "the account id must be 12 digits")]
    [InlineData("arn:aws:bedrock-agentcore:us-west-2:123456789012:agent/x", "the resource must be 'runtime/{id}'")]
    [InlineData("arn:aws:bedrock-agentcore:US_WEST:123456789012:runtime/x", "the region 'US_WEST' is not a region name")]
    [InlineData("bedrock/agentcore/arn:azure:bedrock-agentcore:us-west-2:123456789012:runtime/x", "the partition 'azure' is not an AWS partition")]
    [InlineData("http://localhost:8080/?x=1", "is not a valid agent container URL")]
    public void Constructor_BadRuntimeArn_NamesTheSettingAndTheFix(string? arn, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => new AgentCoreChatClient(new AgentCoreChatClientOptions { RuntimeArn = arn }));
        Assert.Contains(expected, e.Message);
        Assert.Contains("RuntimeArn", e.Message);
    }

    [Fact]
    public void Constructor_RegionMismatch_IsAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => new AgentCoreChatClient(TestClients.Options(o => o.Region = "us-east-1")));
        Assert.Contains("AgentCoreChatClientOptions.Region is 'us-east-1' but the runtime ARN is in 'us-west-2'", e.Message);
        using var ok = new AgentCoreChatClient(TestClients.Options(o => o.Region = "us-west-2"));
    }

    [Fact]
    public void Constructor_OtherBadSettings_AreNamed()
    {
        Assert.Contains("MaxAttempts must be at least 1", Assert.Throws<ArgumentException>(() => new AgentCoreChatClient(TestClients.Options(o => o.MaxAttempts = 0))).Message);
        Assert.Contains("Endpoint 'ftp://x/' must be an absolute http(s) URL", Assert.Throws<ArgumentException>(() => new AgentCoreChatClient(TestClients.Options(o => o.Endpoint = new Uri("ftp://x")))).Message);
        Assert.Contains("Qualifier is empty", Assert.Throws<ArgumentException>(() => new AgentCoreChatClient(TestClients.Options(o => o.Qualifier = " "))).Message);
        Assert.Contains("with a container URL in RuntimeArn it has no meaning", Assert.Throws<ArgumentException>(() => new AgentCoreChatClient(TestClients.Options(o => { o.RuntimeArn = "http://localhost:8080"; o.Endpoint = new Uri("http://localhost:9000"); }))).Message);
    }

    [Fact]
    public async Task RuntimeSessionIdOption_IsTheDefaultSession_AndIsValidated()
    {
        const string Configured = "configured-session-0123456789abcdef012345";
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, "\"a\"", "application/json").Respond(HttpStatusCode.OK, "\"b\"", "application/json");
        using var client = TestClients.Create(handler, o => o.RuntimeSessionId = Configured);

        await client.GetResponseAsync("hi");
        await client.GetResponseAsync("hi", new ChatOptions { ConversationId = "per-request-session-0123456789abcdef01234" });

        Assert.Equal(Configured, handler.Requests[0].Header("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"));
        Assert.Equal("per-request-session-0123456789abcdef01234", handler.Requests[1].Header("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"));
        var e = Assert.Throws<ArgumentException>(() => TestClients.Options(o => o.RuntimeSessionId = "session-abc-123").Validate());
        Assert.Contains("AgentCoreChatClientOptions.RuntimeSessionId must be 33 to 256 characters long", e.Message);
    }

    [Fact]
    public void GetService_ReturnsMetadataOptionsHttpClientAndSelf_AndNullForKeys()
    {
        var options = TestClients.Options(o => o.RuntimeArn = "bedrock/agentcore/" + TestClients.Arn);
        using var http = new HttpClient(new RecordingHandler());
        using var client = new AgentCoreChatClient(options, http);

        ChatClientMetadata metadata = client.GetService<ChatClientMetadata>()!;
        Assert.Equal("aws.bedrock.agentcore", metadata.ProviderName);
        Assert.Equal(new Uri("https://bedrock-agentcore.us-west-2.amazonaws.com"), metadata.ProviderUri);
        Assert.Equal(TestClients.Arn, metadata.DefaultModelId);
        Assert.Same(options, client.GetService<AgentCoreChatClientOptions>());
        Assert.Same(http, client.GetService<HttpClient>());
        Assert.Same(client, client.GetService<AgentCoreChatClient>());
        Assert.Same(client, client.GetService<IChatClient>());
        Assert.Null(client.GetService<ChatClientMetadata>("key"));
        Assert.Null(client.GetService(typeof(string)));
        Assert.Throws<ArgumentNullException>(() => client.GetService(null!));
    }

    [Fact]
    public void GetService_ThroughAMiddlewarePipeline()
    {
        using var client = TestClients.Create(new RecordingHandler());
        using IChatClient pipeline = client.AsBuilder().UseFunctionInvocation().UseOpenTelemetry().UseLogging(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).Build();

        Assert.Same(client, pipeline.GetService<AgentCoreChatClient>());
        Assert.Equal(TestClients.Arn, pipeline.GetService<ChatClientMetadata>()!.DefaultModelId);
    }

    [Fact]
    public async Task Dispose_LeavesAnInjectedHttpClientAlone()
    {
        var handler = new Mock<HttpMessageHandler>(MockBehavior.Strict);
        handler.Protected()
            .Setup<Task<HttpResponseMessage>>("SendAsync", ItExpr.IsAny<HttpRequestMessage>(), ItExpr.IsAny<CancellationToken>())
            .ReturnsAsync(() => RecordingHandler.Response(HttpStatusCode.OK, "\"ok\""u8.ToArray(), "application/json"));
        handler.Protected().Setup("Dispose", ItExpr.IsAny<bool>());
        using var http = new HttpClient(handler.Object);

        new AgentCoreChatClient(TestClients.Options(), http).Dispose();

        handler.Protected().Verify("Dispose", Times.Never(), ItExpr.IsAny<bool>());
        using var second = new AgentCoreChatClient(TestClients.Options(), http);
        Assert.Equal("ok", (await second.GetResponseAsync("still usable")).Text);
        handler.Protected().Verify<Task<HttpResponseMessage>>("SendAsync", Times.Once(), ItExpr.IsAny<HttpRequestMessage>(), ItExpr.IsAny<CancellationToken>());
    }

    [Fact]
    public async Task CachingMiddleware_SeesEveryAgentCoreSettingInTheKey()
    {
        var handler = new RecordingHandler()
            .Respond(HttpStatusCode.OK, "\"first\"", "application/json")
            .Respond(HttpStatusCode.OK, "\"second\"", "application/json");
        using var client = TestClients.Create(handler);
        var cache = new Microsoft.Extensions.Caching.Distributed.MemoryDistributedCache(Microsoft.Extensions.Options.Options.Create(new Microsoft.Extensions.Caching.Memory.MemoryDistributedCacheOptions()));
        using IChatClient pipeline = client.AsBuilder().UseDistributedCache(cache).Build();

        ChatResponse a = await pipeline.GetResponseAsync("same prompt", new ChatOptions().WithQualifier("DEFAULT"));
        ChatResponse b = await pipeline.GetResponseAsync("same prompt", new ChatOptions().WithQualifier("DEFAULT"));
        ChatResponse c = await pipeline.GetResponseAsync("same prompt", new ChatOptions().WithQualifier("production"));

        Assert.Equal(["first", "first", "second"], new[] { a.Text, b.Text, c.Text });
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task FunctionInvocationMiddleware_DoesNotRunToolsTheAgentAlreadyRan()
    {
        byte[] recording = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Recordings", "strands-tool-use.sse"));
        var handler = new RecordingHandler().Respond(_ => RecordingHandler.Response(HttpStatusCode.OK, recording, "text/event-stream"));
        using var client = TestClients.Create(handler);
        int invoked = 0;
        AIFunction getWeather = AIFunctionFactory.Create((string city, string unit) => { invoked++; return "client-side"; }, "get_weather");
        using IChatClient pipeline = client.AsBuilder().UseFunctionInvocation().Build();

        ChatResponse response = await pipeline.GetResponseAsync("weather in Paris?", new ChatOptions { Tools = [getWeather] });

        Assert.Equal(0, invoked);
        Assert.Single(handler.Requests);
        Assert.EndsWith("It is 18 C and sunny in Paris.", response.Text);
    }

    [Fact]
    public async Task StopRuntimeSession_PostsTheSignedDataPlaneCall()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, "{}", "application/json");
        using var client = TestClients.Create(handler, o => o.Qualifier = "DEFAULT");

        await client.StopRuntimeSessionAsync(TestClients.SessionId);

        RecordedRequest request = Assert.Single(handler.Requests);
        Assert.Equal($"https://bedrock-agentcore.us-west-2.amazonaws.com/runtimes/{TestClients.EncodedArn}/stopruntimesession?qualifier=DEFAULT", request.Uri.AbsoluteUri);
        Assert.Equal(TestClients.SessionId, request.Header("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"));
        using JsonDocument body = JsonDocument.Parse(request.Body);
        Assert.True(Guid.TryParse(body.RootElement.GetProperty("clientToken").GetString(), out _));
        Assert.StartsWith("AWS4-HMAC-SHA256 ", request.Header("Authorization"));
    }

    [Fact]
    public async Task StopRuntimeSession_Errors()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.NotFound, """{"message":"Session not found"}""", "application/json", ("x-amzn-ErrorType", "ResourceNotFoundException"));
        using var client = TestClients.Create(handler);
        Assert.Equal(AgentCoreErrorKind.NotFound, (await Assert.ThrowsAsync<AgentCoreException>(() => client.StopRuntimeSessionAsync(TestClients.SessionId))).Kind);
        Assert.Throws<ArgumentException>(() => { _ = client.StopRuntimeSessionAsync("short"); });

        using var container = TestClients.Create(new RecordingHandler(), o => o.RuntimeArn = "http://localhost:8080");
        Assert.Throws<InvalidOperationException>(() => { _ = container.StopRuntimeSessionAsync(TestClients.SessionId); });
    }

    [Fact]
    public async Task UsersCanFakeIChatClientWithMoq_AndAssertTheAgentCoreSettingsTheyPass()
    {
        // The shape a user's own unit test takes: their code depends on IChatClient, the test fakes it.
        var fake = new Mock<IChatClient>();
        fake.Setup(c => c.GetResponseAsync(It.IsAny<IEnumerable<ChatMessage>>(), It.IsAny<ChatOptions?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ChatResponse(new ChatMessage(ChatRole.Assistant, "faked")) { ConversationId = TestClients.SessionId });

        ChatResponse response = await fake.Object.GetResponseAsync("hi", new ChatOptions().WithQualifier("production"));

        Assert.Equal("faked", response.Text);
        fake.Verify(c => c.GetResponseAsync(
            It.IsAny<IEnumerable<ChatMessage>>(),
            It.Is<ChatOptions?>(o => (string)o!.AdditionalProperties![AgentCoreAdditionalPropertiesKeys.Qualifier]! == "production"),
            It.IsAny<CancellationToken>()));
    }
}
