// Licensed under the Apache License, Version 2.0.

using System.Net;
using System.Text.Json;
using AgentCore.Extensions.AI.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Tests;

/// <summary>What goes on the wire for a chat call: URL, headers, payload, session and qualifier rules.</summary>
public sealed class RequestMappingTests
{
    private static RecordingHandler JsonAnswer(string body = """{"result":"ok"}""", params (string, string)[] headers) =>
        new RecordingHandler().Respond(HttpStatusCode.OK, body, "application/json", headers);

    [Fact]
    public async Task Prompt_SendsLastUserMessageAsPrompt_ToEncodedArnUrlWithQualifier_NonStreaming()
    {
        var handler = JsonAnswer();
        using var client = TestClients.Create(handler, o => o.Qualifier = "DEFAULT");

        await client.GetResponseAsync(
        [
            new ChatMessage(ChatRole.System, "be brief"),
            new ChatMessage(ChatRole.User, "first question"),
            new ChatMessage(ChatRole.Assistant, "first answer"),
            new ChatMessage(ChatRole.User, "Explain machine learning in simple terms"),
        ]);

        RecordedRequest request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal($"https://bedrock-agentcore.us-west-2.amazonaws.com/runtimes/{TestClients.EncodedArn}/invocations?qualifier=DEFAULT", request.Uri.AbsoluteUri);
        Assert.Equal("""{"prompt":"Explain machine learning in simple terms"}""", request.BodyText);
        Assert.Equal("application/json", request.Header("Content-Type"));
        Assert.Equal("application/json, text/event-stream", request.Header("Accept"));
        Assert.Equal(TestClients.SessionId, request.Header("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"));
        Assert.Equal("20250102T030405Z", request.Header("X-Amz-Date"));
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250102/us-west-2/bedrock-agentcore/aws4_request, SignedHeaders=accept;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amzn-bedrock-agentcore-runtime-session-id, Signature=", request.Header("Authorization"));
        Assert.Null(request.Header("amz-sdk-invocation-id"));
        Assert.Null(request.Header("X-Amzn-Bedrock-AgentCore-Runtime-User-Id"));
    }

    [Fact]
    public async Task Messages_SendsWholeConversationWithInstructionsFirst()
    {
        var handler = JsonAnswer();
        using var client = TestClients.Create(handler, o => o.PayloadFormat = AgentCorePayloadFormat.Messages);

        await client.GetResponseAsync(
            [new ChatMessage(ChatRole.User, "hi"), new ChatMessage(ChatRole.Assistant, "hello"), new ChatMessage(ChatRole.User, "how are you?")],
            new ChatOptions { Instructions = "be brief" });

        Assert.Equal(
            """{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},{"role":"user","content":"how are you?"}]}""",
            Assert.Single(handler.Requests).BodyText);
    }

    [Fact]
    public async Task LiteLlmRoute_IsAcceptedAsRuntimeArn_AndModelIdIsTheArn()
    {
        var handler = JsonAnswer();
        using var client = TestClients.Create(handler, o => o.RuntimeArn = "bedrock/agentcore/" + TestClients.Arn);

        ChatResponse response = await client.GetResponseAsync("hi");

        Assert.Contains(TestClients.EncodedArn, Assert.Single(handler.Requests).Uri.AbsoluteUri);
        Assert.Equal(TestClients.Arn, response.ModelId);
        Assert.Equal(TestClients.Arn, client.GetService<ChatClientMetadata>()!.DefaultModelId);
    }

    [Fact]
    public async Task AdditionalProperties_StringsAndJsonElements_ReachTheWire()
    {
        var handler = JsonAnswer();
        using var client = TestClients.Create(handler, o => o.Qualifier = "DEFAULT");
        const string Session = "semantic-kernel-session-0123456789abcdef";

        await client.GetResponseAsync("hi", new ChatOptions
        {
            AdditionalProperties = new()
            {
                ["qualifier"] = JsonSerializer.SerializeToElement("production"),
                ["runtimeSessionId"] = JsonSerializer.SerializeToElement(Session),
                [AgentCoreAdditionalPropertiesKeys.RuntimeUserId] = "user-42",
                [AgentCoreAdditionalPropertiesKeys.AccountId] = "123456789012",
                [AgentCoreAdditionalPropertiesKeys.TraceId] = "Root=1-5759e988-bd862e3fe1be46a994272793",
                [AgentCoreAdditionalPropertiesKeys.McpSessionId] = "mcp-1",
                [AgentCoreAdditionalPropertiesKeys.McpProtocolVersion] = "2025-06-18",
                [AgentCoreAdditionalPropertiesKeys.McpMethod] = "tools/call",
                [AgentCoreAdditionalPropertiesKeys.McpName] = JsonSerializer.SerializeToElement("get_weather"),
            },
        });

        RecordedRequest request = Assert.Single(handler.Requests);
        Assert.Equal("?qualifier=production&accountId=123456789012", request.Uri.Query);
        Assert.Equal(Session, request.Header("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"));
        Assert.Equal("user-42", request.Header("X-Amzn-Bedrock-AgentCore-Runtime-User-Id"));
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793", request.Header("X-Amzn-Trace-Id"));
        Assert.Equal("mcp-1", request.Header("Mcp-Session-Id"));
        Assert.Equal("2025-06-18", request.Header("Mcp-Protocol-Version"));
        Assert.Equal("tools/call", request.Header("Mcp-Method"));
        Assert.Equal("get_weather", request.Header("Mcp-Name"));
        Assert.Contains("mcp-method;mcp-name;mcp-protocol-version;mcp-session-id", request.Header("Authorization"));
        Assert.Contains("x-amzn-bedrock-agentcore-runtime-user-id", request.Header("Authorization"));
        Assert.Contains("mcp-session-id", request.Header("Authorization"));
        Assert.DoesNotContain("x-amzn-trace-id", request.Header("Authorization"));
    }

    [Fact]
    public async Task TypedHelpers_WriteTheSameDictionaryKeys()
    {
        var options = new ChatOptions()
            .WithQualifier("production")
            .WithRuntimeSessionId("helper-session-0123456789abcdef0123456789")
            .WithRuntimeUserId("user-1");

        Assert.Equal("production", options.AdditionalProperties!["qualifier"]);
        Assert.Equal("helper-session-0123456789abcdef0123456789", options.AdditionalProperties["runtimeSessionId"]);
        Assert.Equal("user-1", options.AdditionalProperties["runtimeUserId"]);

        var handler = JsonAnswer();
        using var client = TestClients.Create(handler);
        await client.GetResponseAsync("hi", options);
        Assert.Equal("helper-session-0123456789abcdef0123456789", handler.Requests[0].Header("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"));
    }

    [Fact]
    public async Task ConversationId_IsTheSessionId_AndTheReturnedSessionHeaderComesBack()
    {
        const string Sent = "conversation-0123456789abcdef0123456789ab";
        const string Used = "service-chosen-session-0123456789abcdef01";
        var handler = JsonAnswer(headers: [("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", Used), ("x-amzn-RequestId", "req-1")]);
        using var client = TestClients.Create(handler);

        ChatResponse response = await client.GetResponseAsync("hi", new ChatOptions { ConversationId = Sent });

        Assert.Equal(Sent, handler.Requests[0].Header("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"));
        Assert.Equal(Used, response.ConversationId);
        Assert.Equal("req-1", response.ResponseId);
        Assert.Equal("req-1", Assert.Single(response.Messages).MessageId);
    }

    [Fact]
    public async Task NoSessionGiven_GeneratesUnguessableIdsOf33PlusCharacters()
    {
        var handler = JsonAnswer().Respond(HttpStatusCode.OK, "\"x\"", "application/json");
        using var client = new AgentCoreChatClient(TestClients.Options(o => o.SessionIdGenerator = null), new HttpClient(handler));

        ChatResponse first = await client.GetResponseAsync("a");
        ChatResponse second = await client.GetResponseAsync("b");

        Assert.Matches("^agentcore-session-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", first.ConversationId);
        Assert.Equal(54, first.ConversationId!.Length);
        Assert.NotEqual(first.ConversationId, second.ConversationId);
        Assert.Equal(first.ConversationId, handler.Requests[0].Header("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"));
    }

    [Theory]
    [InlineData("session-abc-123")]
    [InlineData("12345678901234567890123456789012")]
    public async Task ShortSessionId_IsRejectedBeforeSending_NamingTheSetting(string sessionId)
    {
        var handler = new RecordingHandler();
        using var client = TestClients.Create(handler);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("hi", new ChatOptions().WithRuntimeSessionId(sessionId)));

        Assert.Contains("ChatOptions.AdditionalProperties[\"runtimeSessionId\"] must be 33 to 256 characters long", e.Message);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public void ShortSessionId_StreamingFailsAtTheCall()
    {
        using var client = TestClients.Create(new RecordingHandler());
        var e = Assert.Throws<ArgumentException>(() => client.GetStreamingResponseAsync("hi", new ChatOptions { ConversationId = "short" }));
        Assert.Contains("ChatOptions.ConversationId must be 33 to 256 characters long, but has 5", e.Message);
    }

    [Fact]
    public void SessionIdOf257Characters_IsRejected()
    {
        using var client = TestClients.Create(new RecordingHandler());
        Assert.Throws<ArgumentException>(() => client.GetStreamingResponseAsync("hi", new ChatOptions { ConversationId = new string('a', 257) }));
        client.GetStreamingResponseAsync("hi", new ChatOptions { ConversationId = new string('a', 256) });
    }

    [Fact]
    public async Task ModelId_NamesAnotherRuntime_AndTheRegionFollowsItsArn()
    {
        const string Other = "arn:aws:bedrock-agentcore:us-east-1:987654321098:runtime/production-runtime";
        var handler = JsonAnswer();
        using var client = TestClients.Create(handler, o => o.Qualifier = "DEFAULT");

        ChatResponse response = await client.GetResponseAsync("hi", new ChatOptions { ModelId = "bedrock/agentcore/" + Other });

        RecordedRequest request = Assert.Single(handler.Requests);
        Assert.Equal("https://bedrock-agentcore.us-east-1.amazonaws.com/runtimes/arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A987654321098%3Aruntime%2Fproduction-runtime/invocations", request.Uri.AbsoluteUri);
        Assert.Contains("/us-east-1/bedrock-agentcore/aws4_request", request.Header("Authorization"));
        Assert.Equal(Other, response.ModelId);
    }

    [Theory]
    [InlineData(false, false, "https://bedrock-agentcore.eu-central-1.amazonaws.com/")]
    [InlineData(true, false, "https://bedrock-agentcore-fips.eu-central-1.amazonaws.com/")]
    [InlineData(false, true, "https://bedrock-agentcore.eu-central-1.api.aws/")]
    [InlineData(true, true, "https://bedrock-agentcore-fips.eu-central-1.api.aws/")]
    public async Task Endpoints_StandardFipsAndDualStack(bool fips, bool dualStack, string expectedBase)
    {
        var handler = JsonAnswer();
        using var client = TestClients.Create(handler, o =>
        {
            o.RuntimeArn = "arn:aws:bedrock-agentcore:eu-central-1:123456789012:runtime/agent";
            o.UseFipsEndpoint = fips;
            o.UseDualStackEndpoint = dualStack;
        });

        await client.GetResponseAsync("hi");

        Assert.StartsWith(expectedBase + "runtimes/", handler.Requests[0].Uri.AbsoluteUri);
        Assert.Equal(new Uri(expectedBase), client.GetService<ChatClientMetadata>()!.ProviderUri);
    }

    [Fact]
    public async Task ChinaPartition_UsesTheChinaDomain()
    {
        var handler = JsonAnswer();
        using var client = TestClients.Create(handler, o => o.RuntimeArn = "arn:aws-cn:bedrock-agentcore:cn-north-1:123456789012:runtime/agent");
        await client.GetResponseAsync("hi");
        Assert.StartsWith("https://bedrock-agentcore.cn-north-1.amazonaws.com.cn/runtimes/", handler.Requests[0].Uri.AbsoluteUri);
    }

    [Fact]
    public async Task EndpointOverride_KeepsTheSignedDataPlaneProtocol_EvenOnLoopback()
    {
        var handler = JsonAnswer();
        using var client = TestClients.Create(handler, o => o.Endpoint = new Uri("http://127.0.0.1:9999"));

        await client.GetResponseAsync("hi");

        RecordedRequest request = handler.Requests[0];
        Assert.Equal($"http://127.0.0.1:9999/runtimes/{TestClients.EncodedArn}/invocations", request.Uri.AbsoluteUri);
        Assert.StartsWith("AWS4-HMAC-SHA256 ", request.Header("Authorization"));
    }

    [Fact]
    public async Task ContainerUrl_CallsInvocationsUnsigned()
    {
        var handler = JsonAnswer();
        using var client = TestClients.Create(handler, o => o.RuntimeArn = "http://localhost:8080");

        ChatResponse response = await client.GetResponseAsync("hi");

        RecordedRequest request = handler.Requests[0];
        Assert.Equal("http://localhost:8080/invocations", request.Uri.AbsoluteUri);
        Assert.Null(request.Header("Authorization"));
        Assert.Null(request.Header("X-Amz-Date"));
        Assert.Equal(TestClients.SessionId, request.Header("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"));
        Assert.Equal("http://localhost:8080", response.ModelId);
    }

    [Fact]
    public async Task BearerToken_ReplacesSigV4_AndIsAskedForEachAttempt()
    {
        int calls = 0;
        var handler = new RecordingHandler()
            .Respond(HttpStatusCode.ServiceUnavailable, "", "application/json")
            .Respond(HttpStatusCode.OK, "\"ok\"", "application/json");
        using var client = TestClients.Create(handler, o => o.BearerTokenProvider = _ => ValueTask.FromResult($"token-{++calls}"));

        await client.GetResponseAsync("hi");

        Assert.Equal(["Bearer token-1", "Bearer token-2"], handler.Requests.Select(r => r.Header("Authorization")!));
        Assert.All(handler.Requests, r => Assert.Null(r.Header("X-Amz-Date")));
    }

    [Fact]
    public async Task SessionToken_IsSentAndSigned()
    {
        var handler = JsonAnswer();
        using var client = TestClients.Create(handler, o => o.Credentials = new Amazon.Runtime.SessionAWSCredentials(TestClients.AccessKeyId, TestClients.SecretAccessKey, "session-token-value"));
        await client.GetResponseAsync("hi");
        Assert.Equal("session-token-value", handler.Requests[0].Header("x-amz-security-token"));
        Assert.Contains("x-amz-security-token", handler.Requests[0].Header("Authorization"));
    }

    [Fact]
    public async Task PerRequestPayload_ReplacesTheMappedOne()
    {
        var handler = JsonAnswer().Respond(HttpStatusCode.OK, "\"ok\"", "application/json").Respond(HttpStatusCode.OK, "\"ok\"", "application/json");
        using var client = TestClients.Create(handler);

        await client.GetResponseAsync("ignored", new ChatOptions { AdditionalProperties = new() { ["payload"] = """{"input":"custom","n":1}""" } });
        await client.GetResponseAsync("ignored", new ChatOptions { AdditionalProperties = new() { ["payload"] = JsonSerializer.SerializeToElement(new { input = "element" }) } });
        await client.GetResponseAsync("ignored", new ChatOptions { RawRepresentationFactory = _ => AgentCorePayload.FromBytes("plain words"u8.ToArray(), "text/plain") });

        Assert.Equal("""{"input":"custom","n":1}""", handler.Requests[0].BodyText);
        Assert.Equal("""{"input":"element"}""", handler.Requests[1].BodyText);
        Assert.Equal("plain words", handler.Requests[2].BodyText);
        Assert.Equal("text/plain", handler.Requests[2].Header("Content-Type"));
    }

    [Fact]
    public async Task PayloadFactory_BuildsCustomPayloads()
    {
        var handler = JsonAnswer();
        using var client = TestClients.Create(handler, o => o.PayloadFactory = (messages, _) =>
            AgentCorePayload.FromJson(new System.Text.Json.Nodes.JsonObject { ["input"] = messages[^1].Text, ["count"] = messages.Count }));

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "a"), new ChatMessage(ChatRole.User, "b")]);

        Assert.Equal("""{"input":"b","count":2}""", handler.Requests[0].BodyText);
    }

    [Fact]
    public async Task InvalidPayloadText_IsRejectedNamingTheKey()
    {
        using var client = TestClients.Create(new RecordingHandler());
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.GetResponseAsync("hi", new ChatOptions { AdditionalProperties = new() { ["payload"] = "{not json" } }));
        Assert.Contains("ChatOptions.AdditionalProperties[\"payload\"] must hold JSON text", e.Message);
    }

    [Fact]
    public async Task NonTextContent_IsNotSilentlyDropped()
    {
        using var client = TestClients.Create(new RecordingHandler());
        var message = new ChatMessage(ChatRole.User, [new TextContent("what is this?"), new DataContent(new byte[] { 1, 2, 3 }, "image/png")]);

        var e = await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync([message]));

        Assert.Contains("DataContent", e.Message);
    }

    [Fact]
    public async Task NoUserMessage_IsAnErrorForThePromptPayload()
    {
        using var client = TestClients.Create(new RecordingHandler());
        var e = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.System, "x")]));
        Assert.Contains("no user message", e.Message);
    }

    [Fact]
    public async Task NonStringAdditionalProperty_IsRejectedNamingTheKey()
    {
        using var client = TestClients.Create(new RecordingHandler());
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.GetResponseAsync("hi", new ChatOptions { AdditionalProperties = new() { ["qualifier"] = 42 } }));
        Assert.Contains("ChatOptions.AdditionalProperties[\"qualifier\"] must be a string", e.Message);
    }

    [Fact]
    public async Task TraceParent_ComesFromTheCurrentActivity_Unsigned()
    {
        using var activity = new System.Diagnostics.Activity("test").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C).Start();
        activity.TraceStateString = "vendor=1";
        var handler = JsonAnswer();
        using var client = TestClients.Create(handler);

        await client.GetResponseAsync("hi");

        Assert.Equal(activity.Id, handler.Requests[0].Header("traceparent"));
        Assert.Equal("vendor=1", handler.Requests[0].Header("tracestate"));
        Assert.DoesNotContain("traceparent", handler.Requests[0].Header("Authorization"));
    }
}
