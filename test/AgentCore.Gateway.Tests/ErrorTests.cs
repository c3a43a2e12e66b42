// Licensed under the Apache License, Version 2.0.

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AgentCore.Extensions.AI.Testing;
using AgentCore.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCore.Gateway.Tests;

/// <summary>Every failure is OpenAI's error JSON with a faithful status; streamed failures before the first token are real statuses too.</summary>
public sealed class ErrorTests
{
    /// <summary>Asserts <c>{"error": {"message", "type", "param": null, "code"}}</c> with the status, type and code.</summary>
    private static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type, string? code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement error = Assert.Single(document.RootElement.EnumerateObject(), static p => p.Name == "error").Value;
        Assert.Equal(["message", "type", "param", "code"], error.EnumerateObject().Select(static p => p.Name));
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.Equal(code, error.GetProperty("code").GetString());
        string message = error.GetProperty("message").GetString()!;
        Assert.NotEmpty(message);
        return message;
    }

    private static Task<InProcessGateway> GatewayFor(LocalAgentRuntime runtime, params string[] generalSettings) =>
        InProcessGateway.StartAsync(Configs.Yaml([Configs.DataPlane("my-agent", runtime)], true, generalSettings));

    [Fact]
    public async Task BadKey_MissingKey_AndOtherSchemes_Are401_OnEveryApiRoute()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        await using InProcessGateway gateway = await GatewayFor(runtime);
        object body = InProcessGateway.Body("my-agent", "hi");

        foreach (string path in new[] { "v1/chat/completions", "chat/completions" })
        {
            await AssertErrorAsync(await gateway.ChatAsync(body, "sk-wrong", path: path), HttpStatusCode.Unauthorized, "authentication_error", "invalid_api_key");
            await AssertErrorAsync(await gateway.ChatAsync(body, key: null, path: path), HttpStatusCode.Unauthorized, "authentication_error", "invalid_api_key");
            await AssertErrorAsync(await gateway.ChatAsync(body, Configs.MasterKey + "x", path: path), HttpStatusCode.Unauthorized, "authentication_error", "invalid_api_key");
            await AssertErrorAsync(await gateway.ChatAsync(body, Configs.MasterKey[..^1], path: path), HttpStatusCode.Unauthorized, "authentication_error", "invalid_api_key");
        }

        using var basic = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Configs.MasterKey);
        await AssertErrorAsync(await gateway.Http.SendAsync(basic), HttpStatusCode.Unauthorized, "authentication_error", "invalid_api_key");
        await AssertErrorAsync(await gateway.Http.GetAsync("v1/models"), HttpStatusCode.Unauthorized, "authentication_error", "invalid_api_key");

        // Health checks need no key (load balancers call them).
        Assert.Equal("\"I'm alive!\"", await gateway.Http.GetStringAsync("health/liveliness"));
        Assert.Equal(HttpStatusCode.OK, (await gateway.Http.GetAsync("health/readiness")).StatusCode);
        Assert.Empty(runtime.Requests);
    }

    [Fact]
    public async Task UnknownModel_Is404_AndAnArnAsTheModelReachesNothing()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        await using InProcessGateway gateway = await GatewayFor(runtime);

        string message = await AssertErrorAsync(await gateway.ChatAsync(InProcessGateway.Body("gpt-4o", "hi")), HttpStatusCode.NotFound, "invalid_request_error", "model_not_found");
        Assert.Contains("'gpt-4o'", message, StringComparison.Ordinal);

        // Only configured deployments exist: naming a runtime directly, even the configured one, is not a way around the config.
        await AssertErrorAsync(await gateway.ChatAsync(InProcessGateway.Body("bedrock/agentcore/" + runtime.RuntimeArn, "hi")), HttpStatusCode.NotFound, "invalid_request_error", "model_not_found");
        await AssertErrorAsync(await gateway.ChatAsync(InProcessGateway.Body(runtime.RuntimeArn, "hi", stream: true)), HttpStatusCode.NotFound, "invalid_request_error", "model_not_found");
        Assert.Empty(runtime.Requests);
    }

    [Theory]
    [InlineData("{\"model\": \"my-agent\", \"messages\": [", "not valid JSON")]
    [InlineData("not json at all", "not valid JSON")]
    [InlineData("[1, 2]", "JSON object")]
    [InlineData("{\"model\": \"my-agent\"}", "'messages' is required")]
    [InlineData("{\"model\": \"my-agent\", \"messages\": []}", "'messages' is required")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "'model' is required")]
    [InlineData("{\"model\": \"my-agent\", \"messages\": [{\"content\": \"hi\"}]}", "messages[0].role is required")]
    [InlineData("{\"model\": \"my-agent\", \"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}", "'wizard'")]
    [InlineData("{\"model\": \"my-agent\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"x\"}}]}]}", "'image_url'")]
    [InlineData("{\"model\": \"my-agent\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"runtimeSessionId\": \"too-short\"}", "33")]
    public async Task BadRequests_Are400_SayingWhatIsWrong(string body, string expected)
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        await using InProcessGateway gateway = await GatewayFor(runtime);

        string message = await AssertErrorAsync(await gateway.ChatAsync(body), HttpStatusCode.BadRequest, "invalid_request_error", null);

        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.Empty(runtime.Requests);
    }

    [Fact]
    public async Task OversizedBody_Is413_WithContentLengthAndChunked()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);

        // 0.001 MB = 1,048 bytes.
        await using InProcessGateway gateway = await GatewayFor(runtime, "max_request_size_mb: 0.001");
        string prompt = new('x', 2000);

        string message = await AssertErrorAsync(await gateway.ChatAsync(InProcessGateway.Body("my-agent", prompt)), HttpStatusCode.RequestEntityTooLarge, "invalid_request_error", "request_too_large");
        Assert.Contains("1048 bytes", message, StringComparison.Ordinal);

        // No Content-Length: the limit is enforced while reading.
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(InProcessGateway.Body("my-agent", prompt))))),
        };
        chunked.Headers.TransferEncodingChunked = true;
        chunked.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Configs.MasterKey);
        chunked.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await AssertErrorAsync(await gateway.Http.SendAsync(chunked), HttpStatusCode.RequestEntityTooLarge, "invalid_request_error", "request_too_large");

        // A request under the limit still works.
        using HttpResponseMessage small = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi"));
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Single(runtime.Requests);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Throttled_Is429_AfterTheClientsOwnRetries_WithNoSecondRetryLayer(bool stream)
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(_ => AgentReply.ServiceError(429, "ThrottlingException", "Rate exceeded"));
        await using InProcessGateway gateway = await GatewayFor(runtime);

        string message = await AssertErrorAsync(await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi", stream)), HttpStatusCode.TooManyRequests, "rate_limit_error", "rate_limit_exceeded");

        Assert.Contains("Rate exceeded", message, StringComparison.Ordinal);

        // AgentCoreChatClient's MaxAttempts (3) and nothing more.
        Assert.Equal(3, runtime.Requests.Count);
        Assert.All(runtime.Requests, static r => Assert.Equal(429, r.StatusCode));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FailingAgent_Is424_AlsoWhenStreamedBeforeTheFirstToken(bool stream)
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(_ => throw new InvalidOperationException("the agent crashed"));
        await using InProcessGateway gateway = await GatewayFor(runtime);

        using HttpResponseMessage response = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi", stream), completion: HttpCompletionOption.ResponseHeadersRead);

        string message = await AssertErrorAsync(response, HttpStatusCode.FailedDependency, "agent_error", "agent_failed");
        Assert.Contains("the agent crashed", message, StringComparison.Ordinal);
        Assert.Equal(424, Assert.Single(runtime.Requests).StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AgentErrorEventBeforeAnyText_Is424(bool stream)
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(_ => AgentReply.StreamThenError([], "model access denied", "AccessDeniedException"));
        await using InProcessGateway gateway = await GatewayFor(runtime);

        using HttpResponseMessage response = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi", stream), completion: HttpCompletionOption.ResponseHeadersRead);

        string message = await AssertErrorAsync(response, HttpStatusCode.FailedDependency, "agent_error", "agent_failed");
        Assert.Contains("model access denied", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MidStreamAgentError_EndsTheStreamWithAnErrorEvent_AfterTheTextSoFar()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(_ => AgentReply.StreamThenError(["Looking ", "that up"], "knowledge base unavailable", "ValueError"));
        await using InProcessGateway gateway = await GatewayFor(runtime);

        using HttpResponseMessage response = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi", stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        IReadOnlyList<string> data = Sse.DataOf(await response.Content.ReadAsStringAsync());

        // role chunk, the two deltas, then the error event: no finish chunk, no [DONE].
        Assert.Equal(4, data.Count);
        JsonElement[] chunks = [.. data.Take(3).Select(static d => JsonDocument.Parse(d).RootElement.Clone())];
        Assert.Equal(["Looking ", "that up"], Sse.Deltas(chunks));
        Assert.Empty(Sse.FinishReasons(chunks));
        using JsonDocument last = JsonDocument.Parse(data[3]);
        JsonElement error = Assert.Single(last.RootElement.EnumerateObject()).Value;
        Assert.Equal("agent_error", error.GetProperty("type").GetString());
        Assert.Equal("agent_failed", error.GetProperty("code").GetString());
        Assert.Contains("knowledge base unavailable", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OtherUpstreamFailures_Are502(bool stream)
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(_ => AgentReply.ServiceError(500, "InternalServerException", "Something broke inside AgentCore"));
        await using InProcessGateway gateway = await GatewayFor(runtime);

        string message = await AssertErrorAsync(await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi", stream)), HttpStatusCode.BadGateway, "upstream_error", "InternalServerException");

        Assert.Contains("Something broke inside AgentCore", message, StringComparison.Ordinal);
        Assert.Equal(3, runtime.Requests.Count);
    }

    [Theory]
    [InlineData(400, "ValidationException", 1, HttpStatusCode.BadRequest, "invalid_request_error", "agentcore_validation")]
    [InlineData(409, "ConflictException", 3, HttpStatusCode.Conflict, "conflict_error", "session_busy")]
    [InlineData(402, "ServiceQuotaExceededException", 1, HttpStatusCode.TooManyRequests, "rate_limit_error", "rate_limit_exceeded")]
    [InlineData(404, "ResourceNotFoundException", 1, HttpStatusCode.BadGateway, "upstream_error", "ResourceNotFoundException")]
    [InlineData(503, "ServiceUnavailableException", 3, HttpStatusCode.BadGateway, "upstream_error", "ServiceUnavailableException")]
    public async Task AgentCoreServiceErrors_MapToFaithfulStatuses(int upstream, string errorType, int attempts, HttpStatusCode status, string type, string code)
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(_ => AgentReply.ServiceError(upstream, errorType, "from the service"));
        await using InProcessGateway gateway = await GatewayFor(runtime);

        string message = await AssertErrorAsync(await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi", stream: true)), status, type, code);

        Assert.Contains("from the service", message, StringComparison.Ordinal);
        Assert.Equal(attempts, runtime.Requests.Count);
    }

    [Fact]
    public async Task GatewayCredentialsTheRuntimeRejects_Are502_NotTheCallers401()
    {
        await using LocalAgentRuntime runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            RuntimeArn = Seed.Arn1,
            Agent = Agents.Strands,
            VerifySignaturesWith = new Amazon.Runtime.BasicAWSCredentials("AKIDLOCALAGENTRUNTIME", "a-different-secret"),
        });
        await using InProcessGateway gateway = await GatewayFor(runtime);

        await AssertErrorAsync(await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi")), HttpStatusCode.BadGateway, "upstream_error", "InvalidSignatureException");
        Assert.False(Assert.Single(runtime.Requests).SignatureValid);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task UnexpectedFailures_AreStillOpenAiErrors_500OrAnErrorEvent(bool stream, bool afterFirstToken)
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);

        // The deployment's client replaced by one that fails in a way no mapping knows.
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(
            Configs.Yaml(Configs.DataPlane("my-agent", runtime)),
            configure: builder => builder.Services.AddKeyedSingleton<IChatClient>("my-agent#0", new FailingChatClient(afterFirstToken)));

        using HttpResponseMessage response = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi", stream));

        if (!afterFirstToken)
        {
            string message = await AssertErrorAsync(response, HttpStatusCode.InternalServerError, "server_error", "internal_error");
            Assert.Equal("The gateway could not complete the request (InvalidOperationException); its log has the details.", message);
        }
        else
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            IReadOnlyList<string> data = Sse.DataOf(await response.Content.ReadAsStringAsync());
            Assert.Equal(["partial"], Sse.Deltas([.. data.Take(data.Count - 1).Select(static d => JsonDocument.Parse(d).RootElement.Clone())]));
            using JsonDocument last = JsonDocument.Parse(data[^1]);
            Assert.Equal("server_error", last.RootElement.GetProperty("error").GetProperty("type").GetString());
        }

        // The secret in the exception stays in the log.
        Assert.DoesNotContain("internal detail", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Microsoft.Extensions.Logging.Testing.FakeLogRecord log = Assert.Single(gateway.Logs.GetSnapshot(), static r => r.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Equal("internal detail", log.Exception?.Message);
        Assert.Contains(gateway.Logs.GetSnapshot(), static r => r.Message.Contains(" status=", StringComparison.Ordinal) && r.Message.StartsWith("chat.completions model=my-agent", StringComparison.Ordinal));
    }

    private sealed class FailingChatClient(bool afterFirstToken) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("internal detail");

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            if (afterFirstToken)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, "partial") { ConversationId = "failing-session-0123456789abcdef-0123" };
            }

            throw new InvalidOperationException("internal detail");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AgentThatDoesNotAnswerInTime_Is504(bool stream)
    {
        int invocations = 0;
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(_ =>
        {
            Interlocked.Increment(ref invocations);
            return AgentReply.Delayed(TimeSpan.FromSeconds(20), AgentReply.JsonResult("too late"));
        });

        // The deployment's HTTP client (registered by the Hosting package as "AgentCore:{model_name}#{index}") times out after 300 ms.
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(
            Configs.Yaml(Configs.DataPlane("my-agent", runtime)),
            configure: builder => builder.Services.AddHttpClient("AgentCore:my-agent#0").ConfigureHttpClient(static c => c.Timeout = TimeSpan.FromMilliseconds(300)));

        await AssertErrorAsync(await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi", stream)), HttpStatusCode.GatewayTimeout, "timeout_error", "timeout");

        // A timeout is not retried: one invocation.
        Assert.Equal(1, invocations);
    }
}
