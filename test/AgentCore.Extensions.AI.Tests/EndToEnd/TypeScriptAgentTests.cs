// Licensed under the Apache License, Version 2.0.

using System.Net;
using System.Text;
using System.Text.Json;
using AgentCore.Extensions.AI.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Tests.EndToEnd;

/// <summary>
/// Starts <c>test/peers/ts-agent.mjs</c> once: a real agent built on the official TypeScript agent SDK
/// (npm <c>bedrock-agentcore</c>, <c>BedrockAgentCoreApp</c>) on 127.0.0.1, which prints one JSON line per invocation.
/// </summary>
public sealed class TypeScriptAgentFixture : IAsyncLifetime
{
    private NodeProcess? _agent;

    public NodeProcess Agent => _agent ?? throw new InvalidOperationException("The agent is not running.");

    public int Port { get; private set; }

    public string Url => $"http://127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        (NodeProcess process, string port) = await NodePeers.StartAsync("ts-agent.mjs", "LISTENING");
        _agent = process;
        Port = int.Parse(port, System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task DisposeAsync()
    {
        _agent?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The invocation lines the agent printed for one session.</summary>
    public IReadOnlyList<JsonElement> Invocations(string sessionId) =>
        Agent.OutputLines.Select(Parse).OfType<JsonElement>().Where(line =>
            line.ValueKind == JsonValueKind.Object
            && line.TryGetProperty("type", out JsonElement type) && type.GetString() == "invocation"
            && line.TryGetProperty("sessionId", out JsonElement session) && session.GetString() == sessionId).ToList();

    /// <summary>Waits (the agent's stdout reaches us a little after its answer) until it printed <paramref name="count"/> invocations for the session.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForInvocationsAsync(string sessionId, int count = 1)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        IReadOnlyList<JsonElement> lines;
        while ((lines = Invocations(sessionId)).Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return lines;
    }

    private static JsonElement? Parse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// End to end against a real agent built with the official TypeScript agent SDK: whatever that SDK writes (a bare string
/// labelled <c>application/json</c>, a JSON object, raw unquoted SSE <c>data:</c> lines, a multi-line event, an empty 500,
/// an <c>event: error</c> frame), our client must hand back exactly what the agent produced.
/// </summary>
/// <remarks>
/// What the SDK (bedrock-agentcore 0.4.4, Fastify 5 + @fastify/sse 0.4) was seen to send for our
/// <c>Accept: application/json, text/event-stream</c>:
/// <list type="bullet">
/// <item>a returned string: 200, <c>application/json; charset=utf-8</c>, the bare text (not JSON), Content-Length;</item>
/// <item>a returned object: 200, <c>application/json; charset=utf-8</c>, <c>JSON.stringify</c> of it;</item>
/// <item>a generator: 200, <c>text/event-stream</c>, chunked, one <c>data: &lt;chunk&gt;\n\n</c> per yield (LF only, spaces kept,
/// a chunk with newlines split over several <c>data:</c> lines of one event), no <c>[DONE]</c>;</item>
/// <item>the handler throws: 500, <c>Content-Type: text/event-stream</c>, <c>Content-Length: 0</c>, no body, no <c>x-amzn-ErrorType</c>;</item>
/// <item>the generator throws (before or after its first yield): 200, then <c>event: error\ndata: {"error":"&lt;message&gt;"}\n\n</c>, then the end.</item>
/// </list>
/// No session id or <c>x-amzn-*</c> header comes back.
/// </remarks>
public sealed class TypeScriptAgentTests(TypeScriptAgentFixture agent) : IClassFixture<TypeScriptAgentFixture>
{
    private AgentCoreChatClient CreateClient(int maxAttempts = 3) =>
        new(new AgentCoreChatClientOptions
        {
            RuntimeArn = agent.Url,
            MaxAttempts = maxAttempts,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        });

    private static ChatOptions NewSession(out string sessionId)
    {
        sessionId = "ts-e2e-" + Guid.NewGuid().ToString("N");
        return new ChatOptions { ConversationId = sessionId };
    }

    private static string Text(IEnumerable<ChatResponseUpdate> updates) => string.Concat(updates.Select(u => u.Text));

    private static async Task<List<ChatResponseUpdate>> StreamAsync(AgentCoreChatClient client, string prompt, ChatOptions options)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(prompt, options))
        {
            updates.Add(update);
        }

        return updates;
    }

    /// <summary>The same request our client sends, made by hand: the bytes and headers the SDK really answers with.</summary>
    private async Task<(HttpStatusCode Status, string? ContentType, string Body)> RawInvokeAsync(string prompt, string sessionId)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, agent.Url + "/invocations");
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        request.Headers.TryAddWithoutValidation("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", sessionId);
        request.Content = new StringContent(JsonSerializer.Serialize(new { prompt }), Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PlainString_NonStreamed_IsTheExactText()
    {
        const string Answer = "Hello from the TypeScript SDK: \"quoted\", {braces} and  two spaces ";
        using AgentCoreChatClient client = CreateClient();

        ChatResponse response = await client.GetResponseAsync("plain:" + Answer, NewSession(out string sessionId));

        Assert.Equal(Answer, response.Text);
        Assert.Equal(sessionId, response.ConversationId);

        // The SDK labels the bare text application/json (not valid JSON): the client fell back to the text itself.
        var raw = await RawInvokeAsync("plain:" + Answer, sessionId + "-raw");
        Assert.Equal(HttpStatusCode.OK, raw.Status);
        Assert.Equal("application/json", raw.ContentType);
        Assert.Equal(Answer, raw.Body);
    }

    [Fact]
    public async Task PlainString_Streaming_ConcatenatesToTheExactText()
    {
        const string Answer = "plain answer, read through the streaming API";
        using AgentCoreChatClient client = CreateClient();

        List<ChatResponseUpdate> updates = await StreamAsync(client, "plain:" + Answer, NewSession(out string sessionId));

        Assert.Equal(Answer, Text(updates));
        Assert.All(updates, u => Assert.Equal(sessionId, u.ConversationId));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
    }

    [Fact]
    public async Task JsonObject_IsTheJsonTheSdkWrote()
    {
        const string Answer = "forty two";
        using AgentCoreChatClient client = CreateClient();

        ChatResponse response = await client.GetResponseAsync("json:" + Answer, NewSession(out string sessionId));
        var raw = await RawInvokeAsync("json:" + Answer, sessionId + "-raw");

        // An object of no known answer shape comes back as its own JSON text, byte for byte what the SDK wrote.
        Assert.Equal("application/json", raw.ContentType);
        Assert.Equal(raw.Body, response.Text);
        Assert.Equal("""{"answer":"forty two","n":1}""", response.Text);
        using JsonDocument parsed = JsonDocument.Parse(response.Text);
        Assert.Equal(Answer, parsed.RootElement.GetProperty("answer").GetString());
        Assert.Equal(1, parsed.RootElement.GetProperty("n").GetInt32());
        Assert.Equal(sessionId, response.ConversationId);
    }

    [Fact]
    public async Task Streamed_EveryYieldIsAnUpdate_WithItsSpacesKept_AndTheSessionIdWeSent()
    {
        const string Answer = "The quick  brown fox jumps over the lazy dog. ";
        string[] words = ["The ", "quick  ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog. "];
        using AgentCoreChatClient client = CreateClient();

        List<ChatResponseUpdate> updates = await StreamAsync(client, "stream:" + Answer, NewSession(out string sessionId));

        Assert.Equal(Answer, Text(updates));
        Assert.Equal(words, updates.Where(u => u.Text.Length > 0).Select(u => u.Text));

        // The TS SDK does not echo the session id: the client falls back to the one it sent.
        Assert.All(updates, u => Assert.Equal(sessionId, u.ConversationId));

        ChatResponse whole = await client.GetResponseAsync("stream:" + Answer, new ChatOptions { ConversationId = sessionId });
        Assert.Equal(Answer, whole.Text);
        Assert.Equal(sessionId, whole.ConversationId);
    }

    [Fact]
    public async Task MultiLineChunk_KeepsItsNewlinesAndIndentation()
    {
        const string Chunk = "line one\nline two\n  indented";
        using AgentCoreChatClient client = CreateClient();

        List<ChatResponseUpdate> updates = await StreamAsync(client, "multiline:", NewSession(out string sessionId));

        // One yield, one SSE event of three data: lines, one update.
        Assert.Equal(Chunk, Text(updates));
        Assert.Single(updates, u => u.Text.Length > 0);

        ChatResponse whole = await client.GetResponseAsync("multiline:", new ChatOptions { ConversationId = sessionId });
        Assert.Equal(Chunk, whole.Text);
    }

    [Fact]
    public async Task FailBeforeAnswering_IsTheSdksEmpty500_ARuntimeClientError_NotRetried()
    {
        // Default settings (3 attempts): a container's 500 is the agent failing, which is not safe to run again.
        using AgentCoreChatClient client = CreateClient();
        ChatOptions options = NewSession(out string sessionId);

        AgentCoreException e = await Assert.ThrowsAsync<AgentCoreException>(() => client.GetResponseAsync("fail-before:agent exploded", options));

        Assert.Equal(AgentCoreErrorKind.RuntimeClientError, e.Kind);
        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
        Assert.Null(e.ErrorType);
        Assert.False(e.IsRetryable);
        Assert.Equal(sessionId, e.SessionId);
        Assert.StartsWith("The agent container answered 500", e.Message, StringComparison.Ordinal);

        // The SDK meant to send {"error": "agent exploded"}, but with SSE accepted the 500 goes out empty.
        var raw = await RawInvokeAsync("fail-before:agent exploded", sessionId + "-raw");
        Assert.Equal(HttpStatusCode.InternalServerError, raw.Status);
        Assert.Equal(string.Empty, raw.Body);

        Assert.Single(await agent.WaitForInvocationsAsync(sessionId));
    }

    [Fact]
    public async Task FailMidStream_YieldsTheTwoChunks_ThenThrowsAgentErrorWithTheAgentsMessage()
    {
        const string Message = "the tool crashed: code 7";
        using AgentCoreChatClient client = CreateClient();
        ChatOptions options = NewSession(out string sessionId);
        var received = new List<ChatResponseUpdate>();

        AgentCoreException e = await Assert.ThrowsAsync<AgentCoreException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("fail-mid:" + Message, options))
            {
                received.Add(update);
            }
        });

        Assert.Equal(["first ", "second "], received.Where(u => u.Text.Length > 0).Select(u => u.Text));
        Assert.All(received, u => Assert.Equal(sessionId, u.ConversationId));
        Assert.Equal(AgentCoreErrorKind.AgentError, e.Kind);
        Assert.Equal("The agent reported an error in its answer: " + Message, e.Message);
        Assert.Equal(HttpStatusCode.OK, e.StatusCode);
        Assert.Null(e.ErrorType);
        Assert.False(e.IsRetryable);
        Assert.Equal(sessionId, e.SessionId);

        // Never retried: the stream had started.
        Assert.Single(await agent.WaitForInvocationsAsync(sessionId));
    }

    [Fact]
    public async Task FailMidStream_NonStreamed_ThrowsAgentError_WithThePartialAnswer()
    {
        const string Message = "failed after two chunks";
        using AgentCoreChatClient client = CreateClient();

        AgentCoreException e = await Assert.ThrowsAsync<AgentCoreException>(
            () => client.GetResponseAsync("fail-mid:" + Message, NewSession(out _)));

        Assert.Equal(AgentCoreErrorKind.AgentError, e.Kind);
        Assert.EndsWith(": " + Message, e.Message, StringComparison.Ordinal);
        Assert.Equal("first second ", e.PartialResponse?.Text);
    }

    [Fact]
    public async Task GeneratorFailingBeforeItsFirstChunk_Is200ThenAnErrorEvent_AnAgentErrorWithNoText()
    {
        const string Message = "no chunk at all";
        using AgentCoreChatClient client = CreateClient();
        ChatOptions options = NewSession(out string sessionId);
        var received = new List<ChatResponseUpdate>();

        AgentCoreException e = await Assert.ThrowsAsync<AgentCoreException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("fail-gen:" + Message, options))
            {
                received.Add(update);
            }
        });

        Assert.Equal(string.Empty, Text(received));
        Assert.Equal(AgentCoreErrorKind.AgentError, e.Kind);
        Assert.Equal("The agent reported an error in its answer: " + Message, e.Message);
        Assert.Equal(HttpStatusCode.OK, e.StatusCode);
        Assert.Single(await agent.WaitForInvocationsAsync(sessionId));
    }

    [Fact]
    public async Task TheSessionIdWeSend_ArrivesAtTheAgent_WithThePrompt()
    {
        using AgentCoreChatClient client = CreateClient();

        await client.GetResponseAsync("plain:session check", NewSession(out string sessionId));

        JsonElement invocation = Assert.Single(await agent.WaitForInvocationsAsync(sessionId));
        Assert.Equal(sessionId, invocation.GetProperty("sessionId").GetString());
        Assert.Equal("plain:session check", invocation.GetProperty("prompt").GetString());
    }

    [Fact]
    public async Task WithoutAConversationId_TheGeneratedSessionIdArrives_AndIsTheResponsesConversationId()
    {
        string prompt = "plain:generated session " + Guid.NewGuid().ToString("N");
        using AgentCoreChatClient client = CreateClient();

        ChatResponse response = await client.GetResponseAsync(prompt);

        string? sessionId = response.ConversationId;
        Assert.NotNull(sessionId);
        Assert.InRange(sessionId.Length, 33, 256);
        string line = await agent.Agent.WaitForLineAsync(l => l.Contains(prompt, StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        using JsonDocument invocation = JsonDocument.Parse(line);
        Assert.Equal(sessionId, invocation.RootElement.GetProperty("sessionId").GetString());
    }

    // Library bug (StreamEventDecoder): the TS SDK writes a yielded string raw, so a chunk that happens to be a whole JSON
    // string ("\"hi\" ") is parsed as JSON: its quotes and its trailing space are lost ("He said hiloudly"). Un-skip when fixed.
    [Fact]
    public async Task Streamed_AQuotedWordChunk_KeepsItsQuotesAndItsSpace()
    {
        const string Answer = "He said \"hi\" loudly";
        using AgentCoreChatClient client = CreateClient();

        List<ChatResponseUpdate> updates = await StreamAsync(client, "stream:" + Answer, NewSession(out _));

        Assert.Equal(Answer, Text(updates));
    }
}
