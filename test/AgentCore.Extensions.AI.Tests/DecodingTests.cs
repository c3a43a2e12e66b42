// Licensed under the Apache License, Version 2.0.

using System.Net;
using System.Text;
using System.Text.Json;
using AgentCore.Extensions.AI.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Tests;

/// <summary>Every response shape agents write, byte for byte, decoded into chat updates.</summary>
public sealed class DecodingTests
{
    private const string RequestId = "req-7f1e";
    private const string UsedSession = "service-session-0123456789abcdef0123456789";

    private static AgentCoreChatClient ClientAnswering(string contentType, byte[] body, out RecordingHandler handler)
    {
        handler = new RecordingHandler().Respond(_ => RecordingHandler.Response(
            HttpStatusCode.OK, body, contentType, ("x-amzn-RequestId", RequestId), ("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", UsedSession)));
        return TestClients.Create(handler);
    }

    private static AgentCoreChatClient ClientAnswering(string contentType, string body) =>
        ClientAnswering(contentType, Encoding.UTF8.GetBytes(body), out _);

    private static AgentCoreChatClient ClientReplaying(string recording) =>
        ClientAnswering("text/event-stream", File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Recordings", recording)), out _);

    private static async Task<List<ChatResponseUpdate>> StreamAsync(IChatClient client)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("hi"))
        {
            updates.Add(update);
        }

        return updates;
    }

    [Theory]
    [InlineData("""{"result": "Plain result text"}""", "Plain result text")]
    [InlineData("""{"result": {"role": "assistant", "content": [{"text": "Strands "}, {"text": "message"}]}}""", "Strands message")]
    [InlineData("\"A bare JSON string\"", "A bare JSON string")]
    [InlineData("""{"response": [{"text": "From "}, {"text": "response"}]}""", "From response")]
    [InlineData("""{"output": "Output string"}""", "Output string")]
    [InlineData("""{"output": {"message": {"role": "assistant", "content": [{"text": "Nested output"}]}}}""", "Nested output")]
    [InlineData("""{"message": "A message string"}""", "A message string")]
    [InlineData("""{"role": "assistant", "content": [{"text": "A bare message"}]}""", "A bare message")]
    [InlineData("""{"unexpected": {"shape": [1, 2]}}""", """{"unexpected": {"shape": [1, 2]}}""")]
    [InlineData("[1, 2, 3]", "[1, 2, 3]")]
    [InlineData("42", "42")]
    public async Task Json_EachShapeBecomesItsText_NonStreaming(string body, string expected)
    {
        using var client = ClientAnswering("application/json", body);

        ChatResponse response = await client.GetResponseAsync("hi");

        Assert.Equal(expected, response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(RequestId, response.ResponseId);
        Assert.Equal(UsedSession, response.ConversationId);
        Assert.Equal(TestClients.Arn, response.ModelId);
        Assert.Equal(TestClients.SigningTime, response.CreatedAt);
        Assert.IsType<JsonElement>(response.RawRepresentation);
    }

    [Fact]
    public async Task Json_Streaming_YieldsOneUpdateWithTheWholeAnswer()
    {
        using var client = ClientAnswering("application/json", """{"result": "whole"}""");

        ChatResponseUpdate update = Assert.Single(await StreamAsync(client));

        Assert.Equal("whole", update.Text);
        Assert.Equal(ChatRole.Assistant, update.Role);
        Assert.Equal(RequestId, update.MessageId);
        Assert.Equal(UsedSession, update.ConversationId);
    }

    [Fact]
    public async Task JsonLabelledBodyThatIsNotJson_IsText_AsTheTypeScriptSdkSends()
    {
        using var client = ClientAnswering("application/json", "Hello from a TypeScript agent");
        ChatResponse response = await client.GetResponseAsync("hi");
        Assert.Equal("Hello from a TypeScript agent", response.Text);
        Assert.Equal("Hello from a TypeScript agent", response.RawRepresentation);
    }

    [Fact]
    public async Task JsonLabelledBodyWithTextAfterItsValue_IsText_NotTheFirstValue()
    {
        using var client = ClientAnswering("application/json", "{\"result\": \"a\"} and then some words");
        Assert.Equal("{\"result\": \"a\"} and then some words", (await client.GetResponseAsync("hi")).Text);
    }

    [Fact]
    public async Task JsonErrorObject_IsAnAgentError()
    {
        using var client = ClientAnswering("application/json", """{"error": "agent blew up", "error_type": "RuntimeError"}""");
        var e = await Assert.ThrowsAsync<AgentCoreException>(() => client.GetResponseAsync("hi"));
        Assert.Equal(AgentCoreErrorKind.AgentError, e.Kind);
        Assert.Equal("RuntimeError", e.ErrorType);
        Assert.Equal(RequestId, e.RequestId);
        Assert.Equal("The agent reported an error in its answer (RuntimeError): agent blew up", e.Message);
    }

    [Fact]
    public async Task TextPlain_IsStreamedAsItArrives_WithoutSplittingMultiByteCharacters()
    {
        byte[] body = Encoding.UTF8.GetBytes("Grüße aus 世界 🌍!");
        var handler = new RecordingHandler().RespondStream(new TrickleStream(body, chunkSize: 1), "text/plain; charset=utf-8");
        using var client = TestClients.Create(handler);

        List<ChatResponseUpdate> updates = await StreamAsync(client);

        Assert.Equal("Grüße aus 世界 🌍!", string.Concat(updates.Select(u => u.Text)));
        Assert.True(updates.Count > 10, $"expected one update per arriving piece, got {updates.Count}");
        Assert.All(updates.SelectMany(u => u.Contents).OfType<TextContent>(), c => Assert.DoesNotContain('\uFFFD', c.Text));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
    }

    [Fact]
    public async Task StrandsStream_TextDeltasOnce_UsageAndStopReason_NoDuplicatesFromDataOrMessageEvents()
    {
        using var client = ClientReplaying("strands-text.sse");

        List<ChatResponseUpdate> updates = await StreamAsync(client);

        Assert.Equal(
            ["Machine", " learning", " lets", " computers", " learn", " from", " examples."],
            updates.SelectMany(u => u.Contents).OfType<TextContent>().Select(t => t.Text));
        Assert.Equal(ChatFinishReason.Stop, Assert.Single(updates, u => u.FinishReason is not null).FinishReason);
        UsageContent usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>());
        Assert.Equal(12, usage.Details.InputTokenCount);
        Assert.Equal(40, usage.Details.OutputTokenCount);
        Assert.Equal(52, usage.Details.TotalTokenCount);

        // Every event is surfaced with its raw form, all under one message id.
        Assert.Equal(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Recordings", "strands-text.sse")).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Length, updates.Count);
        Assert.All(updates, u =>
        {
            Assert.Equal(RequestId, u.MessageId);
            Assert.Equal(RequestId, u.ResponseId);
            Assert.Equal(UsedSession, u.ConversationId);
            Assert.Equal(TestClients.Arn, u.ModelId);
            Assert.Equal(TestClients.SigningTime, u.CreatedAt);
            Assert.IsType<AgentCoreStreamEvent>(u.RawRepresentation);
        });
    }

    [Fact]
    public async Task StrandsStream_NonStreamingAssemblesTheWholeAnswer()
    {
        using var client = ClientReplaying("strands-text.sse");

        ChatResponse response = await client.GetResponseAsync("hi");

        ChatMessage message = Assert.Single(response.Messages);
        Assert.Equal("Machine learning lets computers learn from examples.", response.Text);
        Assert.Equal(ChatRole.Assistant, message.Role);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(52, response.Usage!.TotalTokenCount);
        Assert.Equal(UsedSession, response.ConversationId);
    }

    [Fact]
    public async Task StrandsToolUse_ReasoningToolCallResultAndStopReasons()
    {
        using var client = ClientReplaying("strands-tool-use.sse");

        List<ChatResponseUpdate> updates = await StreamAsync(client);
        List<AIContent> contents = [.. updates.SelectMany(u => u.Contents)];

        Assert.Equal(["The user wants the weather; ", "call the tool.", ""], contents.OfType<TextReasoningContent>().Select(r => r.Text));
        Assert.Equal("sig-abc", contents.OfType<TextReasoningContent>().Last().ProtectedData);
        Assert.Equal(["Let me check.", "It is 18 C and sunny in Paris."], contents.OfType<TextContent>().Select(t => t.Text));

        FunctionCallContent call = Assert.Single(contents.OfType<FunctionCallContent>());
        Assert.Equal("tooluse_Q1", call.CallId);
        Assert.Equal("get_weather", call.Name);
        Assert.True(call.InformationalOnly);
        Assert.Null(call.Exception);
        Assert.Equal("Paris", ((JsonElement)call.Arguments!["city"]!).GetString());
        Assert.Equal("C", ((JsonElement)call.Arguments["unit"]!).GetString());

        FunctionResultContent result = Assert.Single(contents.OfType<FunctionResultContent>());
        Assert.Equal("tooluse_Q1", result.CallId);
        Assert.Equal("18 C, sunny", result.Result);

        Assert.Equal([ChatFinishReason.ToolCalls, ChatFinishReason.Stop], updates.Where(u => u.FinishReason is not null).Select(u => u.FinishReason!.Value));
        Assert.Equal([120L, 152L], contents.OfType<UsageContent>().Select(u => u.Details.TotalTokenCount!.Value));

        ChatResponse response = updates.ToChatResponse();
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("Let me check.It is 18 C and sunny in Paris.", response.Text);
    }

    [Fact]
    public async Task PythonSdkPlainStrings_AreKept_WhichLiteLlmDrops()
    {
        using var client = ClientReplaying("python-strings.sse");
        ChatResponse response = await client.GetResponseAsync("hi");
        Assert.Equal("Hello, world! Ünïcödé ✓", response.Text);
    }

    [Fact]
    public async Task TypeScriptRawText_MultiLineJoinedWithNewline_HeartbeatsIgnored_SpacesKept()
    {
        using var client = ClientReplaying("typescript-raw.sse");

        List<ChatResponseUpdate> updates = await StreamAsync(client);

        Assert.Equal(
            ["Hello ", "world", "line one\nline two", " and an object", " two spaces"],
            updates.SelectMany(u => u.Contents).OfType<TextContent>().Select(t => t.Text));
        Assert.Equal(5, updates.Count);
    }

    [Theory]
    [InlineData("python-error.sse", "Partial answer", "ModelThrottledException", "The agent reported an error in its answer (ModelThrottledException): An error occurred while invoking the model")]
    [InlineData("typescript-error.sse", "Working on it", null, "The agent reported an error in its answer: Tool crashed: ENOENT")]
    public async Task ErrorEvents_ThrowTypedErrors_AfterTheTextReceivedSoFar_Streaming(string recording, string textBefore, string? errorType, string message)
    {
        using var client = ClientReplaying(recording);
        var received = new StringBuilder();

        var e = await Assert.ThrowsAsync<AgentCoreException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("hi"))
            {
                received.Append(update.Text);
            }
        });

        Assert.Equal(textBefore, received.ToString());
        Assert.Equal(AgentCoreErrorKind.AgentError, e.Kind);
        Assert.Equal(errorType, e.ErrorType);
        Assert.Equal(message, e.Message);
        Assert.Equal(RequestId, e.RequestId);
        Assert.Equal(UsedSession, e.SessionId);
        Assert.Equal(HttpStatusCode.OK, e.StatusCode);
        Assert.False(e.IsRetryable);
    }

    [Fact]
    public async Task ErrorEvent_NonStreaming_CarriesThePartialResponse()
    {
        using var client = ClientReplaying("python-error.sse");
        var e = await Assert.ThrowsAsync<AgentCoreException>(() => client.GetResponseAsync("hi"));
        Assert.Equal("Partial answer", e.PartialResponse!.Text);
        Assert.Equal(AgentCoreErrorKind.AgentError, e.Kind);
    }

    [Fact]
    public async Task RawTextThatLooksLikeAJsonString_KeepsItsQuotesAndSpaces()
    {
        // The TypeScript SDK yields 'He said ', '"hi" ', 'loudly' raw: the middle one parses as a JSON string but is not one.
        using var client = ClientAnswering("text/event-stream", "data: He said \n\ndata: \"hi\" \n\ndata: loudly\n\n");
        ChatResponse response = await client.GetResponseAsync("hi");
        Assert.Equal("He said \"hi\" loudly", response.Text);

        // Once a stream has carried raw text, a quoted chunk without padding is raw text too.
        using var second = ClientAnswering("text/event-stream", "data: She said\n\ndata: \"yes\"\n\n");
        Assert.Equal("She said\"yes\"", (await second.GetResponseAsync("hi")).Text);
    }

    [Fact]
    public async Task RawTextStartingLikeAJsonLiteralOrNumber_IsText()
    {
        using var client = ClientAnswering("text/event-stream", "data: nothing \n\ndata: true story, \n\ndata: 3 apples, \n\ndata: -5 degrees \n\ndata: 42\n\ndata: null\n\n");
        Assert.Equal("nothing true story, 3 apples, -5 degrees 42null", (await client.GetResponseAsync("hi")).Text);
    }

    [Theory]
    [InlineData("{\"event\": {\"contentBlockDelta\": {\"delta\": {\"text\": \"plain\"}, \"contentBlockIndex\": 0}}}", "plain")]
    [InlineData("{\"event\":{\"contentBlockDelta\":{\"contentBlockIndex\":3,\"delta\":{\"text\":\"index first \\u00e9\"}}}}", "index first é")]
    [InlineData("{\"event\": {\"contentBlockDelta\": {\"delta\": {\"text\": \"extra member\"}}}, \"extra\": true}", "extra member")]
    [InlineData("{\"event\": {\"contentBlockDelta\": {\"delta\": {\"text\": \"more in delta\", \"x\": 1}}}}", "more in delta")]
    public async Task StrandsTextDeltas_InEveryLayout_AreText(string json, string expected)
    {
        using var client = ClientAnswering("text/event-stream", $"data: {json}\n\n");
        Assert.Equal(expected, (await client.GetResponseAsync("hi")).Text);
    }

    [Fact]
    public async Task ChunkAndDoneShapes_AndDoneMarker()
    {
        using var client = ClientReplaying("chunk-done.sse");
        ChatResponse response = await client.GetResponseAsync("hi");
        Assert.Equal("Hello there", response.Text);
    }

    [Fact]
    public async Task WholeMessagesWithoutDeltas_AreTheAnswer()
    {
        using var client = ClientReplaying("whole-messages.sse");
        ChatResponse response = await client.GetResponseAsync("hi");
        Assert.Equal("First whole message. Second.", response.Text);
    }

    [Fact]
    public async Task BrokenToolInputJson_IsReportedOnTheCall_NotThrown()
    {
        const string Body =
            "data: {\"event\":{\"contentBlockStart\":{\"start\":{\"toolUse\":{\"toolUseId\":\"t1\",\"name\":\"f\"}},\"contentBlockIndex\":0}}}\n\n" +
            "data: {\"event\":{\"contentBlockDelta\":{\"delta\":{\"toolUse\":{\"input\":\"{\\\"a\\\": \"}},\"contentBlockIndex\":0}}}\n\n" +
            "data: {\"event\":{\"contentBlockStop\":{\"contentBlockIndex\":0}}}\n\n";
        using var client = ClientAnswering("text/event-stream", Body);

        ChatResponse response = await client.GetResponseAsync("hi");

        FunctionCallContent call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("t1", call.CallId);
        Assert.NotNull(call.Exception);
    }

    [Fact]
    public async Task UnknownStopReason_PassesThrough()
    {
        using var client = ClientAnswering("text/event-stream", "data: {\"event\":{\"messageStop\":{\"stopReason\":\"guardrail_intervened\"}}}\n\ndata: {\"event\":{\"messageStop\":{\"stopReason\":\"model_context_window_exceeded\"}}}\n\n");
        List<ChatResponseUpdate> updates = await StreamAsync(client);
        Assert.Equal(ChatFinishReason.ContentFilter, updates[0].FinishReason);
        Assert.Equal("model_context_window_exceeded", updates[1].FinishReason!.Value.Value);
    }

    [Fact]
    public async Task TruncatedBody_IsAnError_NeverAShorterAnswer()
    {
        byte[] body = Encoding.UTF8.GetBytes("data: \"first\"\n\ndata: \"second\"\n\n");
        var handler = new RecordingHandler().RespondStream(new TrickleStream(body, chunkSize: 15, failAfterBytes: 16), "text/event-stream");
        using var client = TestClients.Create(handler);

        var e = await Assert.ThrowsAsync<AgentCoreException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(AgentCoreErrorKind.ResponseTruncated, e.Kind);
        Assert.IsType<IOException>(e.InnerException);
        Assert.Equal("first", e.PartialResponse!.Text);
        Assert.Single(handler.Requests);
    }
}
