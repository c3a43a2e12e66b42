// Licensed under the Apache License, Version 2.0.

using System.Net;
using AgentCore.Extensions.AI.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Tests;

/// <summary>Tests that change process-wide environment variables run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

/// <summary>Endpoint settings read from the environment the way the AWS SDKs read them.</summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class EnvironmentConfigurationTests
{
    [Theory]
    [InlineData("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE")]
    [InlineData("AWS_ENDPOINT_URL")]
    public async Task EndpointVariables_OverrideTheRegionalEndpoint(string variable)
    {
        using var scope = new EnvironmentScope((variable, "http://127.0.0.1:7777"));
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, "\"ok\"", "application/json");
        using var client = TestClients.Create(handler);

        await client.GetResponseAsync("hi");

        Assert.Equal($"http://127.0.0.1:7777/runtimes/{TestClients.EncodedArn}/invocations", handler.Requests[0].Uri.AbsoluteUri);
        Assert.StartsWith("AWS4-HMAC-SHA256 ", handler.Requests[0].Header("Authorization"));
    }

    [Fact]
    public async Task ExplicitEndpoint_WinsOverTheEnvironment()
    {
        using var scope = new EnvironmentScope(("AWS_ENDPOINT_URL", "http://127.0.0.1:7777"));
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, "\"ok\"", "application/json");
        using var client = TestClients.Create(handler, o => o.Endpoint = new Uri("http://127.0.0.1:8888"));
        await client.GetResponseAsync("hi");
        Assert.StartsWith("http://127.0.0.1:8888/", handler.Requests[0].Uri.AbsoluteUri);
    }

    [Fact]
    public async Task FipsAndDualStackVariables()
    {
        using var scope = new EnvironmentScope(("AWS_USE_FIPS_ENDPOINT", "true"), ("AWS_USE_DUALSTACK_ENDPOINT", "TRUE"));
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, "\"ok\"", "application/json");
        using var client = TestClients.Create(handler);
        await client.GetResponseAsync("hi");
        Assert.StartsWith("https://bedrock-agentcore-fips.us-west-2.api.aws/", handler.Requests[0].Uri.AbsoluteUri);
    }

    [Fact]
    public void BadEndpointVariable_NamesIt()
    {
        using var scope = new EnvironmentScope(("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", "not a url"));
        var e = Assert.Throws<ArgumentException>(() => new AgentCoreChatClient(TestClients.Options()));
        Assert.Contains("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE must hold an absolute http(s) URL", e.Message);
    }

    [Fact]
    public async Task NoCredentialsAnywhere_IsAClearError_AndAContainerNeverLooksForThem()
    {
        using var scope = new EnvironmentScope(
            ("AWS_ACCESS_KEY_ID", null), ("AWS_SECRET_ACCESS_KEY", null), ("AWS_SESSION_TOKEN", null), ("AWS_PROFILE", null),
            ("AWS_CONFIG_FILE", "/dev/null"), ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"), ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", null), ("AWS_CONTAINER_CREDENTIALS_FULL_URI", null), ("AWS_WEB_IDENTITY_TOKEN_FILE", null));
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, "\"from container\"", "application/json");
        using var signed = TestClients.Create(new RecordingHandler(), o => o.Credentials = null);
        using var container = TestClients.Create(handler, o => { o.Credentials = null; o.RuntimeArn = "http://localhost:8080"; });

        var e = await Assert.ThrowsAsync<AgentCoreException>(() => signed.GetResponseAsync("hi"));

        Assert.Equal(AgentCoreErrorKind.Unauthorized, e.Kind);
        Assert.StartsWith("No AWS credentials were found by AWSSDK.Core's default chain", e.Message);
        Assert.Equal("from container", (await container.GetResponseAsync("hi")).Text);
    }

    [Fact]
    public async Task Profile_IsReadFromTheCredentialsFile_AndAMissingOneIsNamed()
    {
        string file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "[team-a]\naws_access_key_id = AKIDPROFILETEAMA\naws_secret_access_key = profile-secret\n");
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, "\"ok\"", "application/json");
        using var client = TestClients.Create(handler, o => { o.Credentials = null; o.Profile = "team-a"; o.ProfilesLocation = file; });
        using var missing = TestClients.Create(new RecordingHandler(), o => { o.Credentials = null; o.Profile = "team-b"; o.ProfilesLocation = file; });

        await client.GetResponseAsync("hi");
        var e = await Assert.ThrowsAsync<AgentCoreException>(() => missing.GetResponseAsync("hi"));

        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDPROFILETEAMA/", handler.Requests[0].Header("Authorization"));
        Assert.Equal("AgentCoreChatClientOptions.Profile: no AWS profile named 'team-b' was found in the shared config or credentials files.", e.Message);
        File.Delete(file);
    }

    [Fact]
    public async Task DefaultChain_ReadsEnvironmentCredentials()
    {
        using var scope = new EnvironmentScope(("AWS_ACCESS_KEY_ID", "AKIDFROMENV"), ("AWS_SECRET_ACCESS_KEY", "secret-from-env"), ("AWS_SESSION_TOKEN", "token-from-env"));
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, "\"ok\"", "application/json");
        using var client = TestClients.Create(handler, o => o.Credentials = null);

        await client.GetResponseAsync("hi");

        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDFROMENV/20250102/us-west-2/bedrock-agentcore/aws4_request", handler.Requests[0].Header("Authorization"));
        Assert.Equal("token-from-env", handler.Requests[0].Header("x-amz-security-token"));
    }
}

/// <summary>Sets environment variables for one test and restores them afterwards.</summary>
public sealed class EnvironmentScope : IDisposable
{
    private readonly List<(string Name, string? Value)> _previous = [];

    public EnvironmentScope(params (string Name, string? Value)[] variables)
    {
        foreach ((string name, string? value) in variables)
        {
            _previous.Add((name, Environment.GetEnvironmentVariable(name)));
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach ((string name, string? value) in _previous)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
