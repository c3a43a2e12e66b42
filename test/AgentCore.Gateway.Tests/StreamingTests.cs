// Licensed under the Apache License, Version 2.0.

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AgentCore.Extensions.AI.Testing;
using AgentCore.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AgentCore.Gateway.Tests;

/// <summary>The SSE the gateway writes, byte for byte where it matters, and what a client that hangs up does upstream.</summary>
public sealed class StreamingTests
{
    [Fact]
    public async Task Stream_IsRoleChunk_OneChunkPerAgentDelta_OneFinishChunk_ThenDone()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        using HttpResponseMessage response = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi", stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache);
        string body = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\n\ndata: [DONE]\n\n", body, StringComparison.Ordinal);
        IReadOnlyList<JsonElement> chunks = Sse.ChunksOf(body);

        // Without stream_options.include_usage: role, 4 deltas, finish; no usage chunk.
        Assert.Equal(Agents.Chunks.Length + 2, chunks.Count);
        Assert.All(chunks, static c => Assert.False(c.TryGetProperty("usage", out _)));
        JsonElement first = chunks[0].GetProperty("choices")[0];
        Assert.Equal("assistant", first.GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal(string.Empty, first.GetProperty("delta").GetProperty("content").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("finish_reason").ValueKind);
        Assert.Equal(Agents.Chunks, Sse.Deltas(chunks));
        Assert.Equal(["stop"], Sse.FinishReasons(chunks));
        JsonElement last = chunks[^1].GetProperty("choices")[0];
        Assert.Equal("stop", last.GetProperty("finish_reason").GetString());
        Assert.Empty(last.GetProperty("delta").EnumerateObject());

        // One id and one created time for the whole answer; the session in the first and last chunk and the header.
        Assert.Single(chunks.Select(static c => c.GetProperty("id").GetString()).Distinct());
        Assert.Single(chunks.Select(static c => c.GetProperty("created").GetInt64()).Distinct());
        string session = Assert.Single(runtime.Requests).SessionId!;
        Assert.Equal(session, Assert.Single(response.Headers.GetValues("x-agentcore-session-id")));
        Assert.Equal(session, chunks[0].GetProperty("agentcore_session_id").GetString());
        Assert.Equal(session, chunks[^1].GetProperty("agentcore_session_id").GetString());
    }

    [Fact]
    public async Task IncludeUsage_AddsOneUsageChunkWithNoChoices_AfterTheFinishChunk()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        using HttpResponseMessage response = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi", stream: true, ("stream_options", new { include_usage = true })));

        IReadOnlyList<JsonElement> chunks = Sse.ChunksOf(await response.Content.ReadAsStringAsync());
        JsonElement usageChunk = chunks[^1];
        Assert.Empty(usageChunk.GetProperty("choices").EnumerateArray());
        Assert.Equal(5, usageChunk.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(7, usageChunk.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(12, usageChunk.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Single(chunks, static c => c.TryGetProperty("usage", out _));
    }

    [Fact]
    public async Task IncludeUsage_WithAnAgentThatReportsNone_GivesNullUsage_AndThePlainAnswerHasNoUsage()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(_ => AgentReply.JsonStringEvents(["no ", "usage"]));
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        using HttpResponseMessage streamed = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi", stream: true, ("stream_options", new { include_usage = true })));
        IReadOnlyList<JsonElement> chunks = Sse.ChunksOf(await streamed.Content.ReadAsStringAsync());
        Assert.Equal(["no ", "usage"], Sse.Deltas(chunks));
        Assert.Equal(JsonValueKind.Null, chunks[^1].GetProperty("usage").ValueKind);

        using HttpResponseMessage plain = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi"));
        using JsonDocument document = JsonDocument.Parse(await plain.Content.ReadAsStringAsync());
        Assert.Equal("no usage", document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.False(document.RootElement.TryGetProperty("usage", out _));
    }

    [Fact]
    public async Task EachToken_IsFlushedAsItArrives()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(_ => AgentReply.StrandsEvents(Agents.Gated("first", release.Task, " second")));
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        using HttpResponseMessage response = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi", stream: true), completion: HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));

        // The agent holds " second" back until the client has seen "first": only a flush per token gets it there.
        var seen = new List<string>();
        while (!seen.Contains("first"))
        {
            string? line = await reader.ReadLineAsync(timeout.Token);
            Assert.NotNull(line);
            seen.AddRange(DeltaOf(line));
        }

        release.SetResult();
        string rest = await reader.ReadToEndAsync(timeout.Token);
        Assert.Equal(["first", " second"], seen.Concat(rest.Split('\n').SelectMany(DeltaOf)));
        Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("json-strings")]
    [InlineData("typescript")]
    [InlineData("json-result")]
    [InlineData("plain-text")]
    public async Task EveryAgentAnswerShape_ComesOutAsTheSameText(string shape)
    {
        const string text = "line one\nline \"two\" ✓";
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(_ => shape switch
        {
            "json-strings" => AgentReply.JsonStringEvents(["line one\n", "line \"two\" ✓"]),
            "typescript" => AgentReply.RawTextEvents(["line one\n", "line \"two\" ✓"]),
            "json-result" => AgentReply.JsonResult(text),
            _ => AgentReply.PlainText(text),
        });
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        using HttpResponseMessage plain = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi"));
        using JsonDocument document = JsonDocument.Parse(await plain.Content.ReadAsStringAsync());
        Assert.Equal(text, document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", document.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());

        using HttpResponseMessage streamed = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi", stream: true));
        IReadOnlyList<JsonElement> chunks = Sse.ChunksOf(await streamed.Content.ReadAsStringAsync());
        Assert.Equal(text, string.Concat(Sse.Deltas(chunks)));
        Assert.Equal(["stop"], Sse.FinishReasons(chunks));
    }

    [Fact]
    public async Task ContainerApiBase_CallsTheAgentUnsigned_OnInvocations()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.Container("local-agent", runtime)));

        using HttpResponseMessage plain = await gateway.ChatAsync(InProcessGateway.Body("local-agent", "hi"));
        using JsonDocument document = JsonDocument.Parse(await plain.Content.ReadAsStringAsync());
        Assert.Equal(Agents.Text, document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        using HttpResponseMessage streamed = await gateway.ChatAsync(InProcessGateway.Body("local-agent", "hi", stream: true));
        Assert.Equal(Agents.Chunks, Sse.Deltas(Sse.ChunksOf(await streamed.Content.ReadAsStringAsync())));

        Assert.Equal(2, runtime.Requests.Count);
        Assert.All(runtime.Requests, static r =>
        {
            Assert.Equal(AgentRoute.Container, r.Route);
            Assert.Equal("/invocations", r.RawTarget);
            Assert.False(r.Headers.ContainsKey("Authorization"));
        });
    }

    [Fact]
    public async Task ClientHangingUpMidStream_CancelsTheAgent()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(_ => AgentReply.StrandsEvents(Agents.FirstThenWait("first", cancelled)));
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        // A client that closes its connection when it stops reading (no draining of the rest of the answer).
        using var client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = gateway.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent(JsonSerializer.Serialize(InProcessGateway.Body("my-agent", "hi", stream: true)), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Configs.MasterKey);
        HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            string? line = await reader.ReadLineAsync(timeout.Token);
            Assert.NotNull(line);
            if (DeltaOf(line).Contains("first"))
            {
                break;
            }
        }

        Assert.False(cancelled.Task.IsCompleted);
        reader.Dispose();
        response.Dispose();

        // The agent's enumeration is cancelled: the gateway's upstream call was cancelled and its connection closed.
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(15));
        await AssertHangUpLoggedAsync(gateway);
    }

    [Fact]
    public async Task ClientHangingUpBeforeAPlainAnswer_CancelsTheAgent()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(_ => AgentReply.StrandsEvents(Agents.FirstThenWait("first", cancelled)));
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        using var hangUp = new CancellationTokenSource();
        Task<HttpResponseMessage> call = gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi"), cancellationToken: hangUp.Token);

        // The agent has started answering (the runtime records a request when it sends the status).
        for (int i = 0; i < 300 && runtime.Requests.Count == 0; i++)
        {
            await Task.Delay(20);
        }

        Assert.Single(runtime.Requests);
        Assert.False(cancelled.Task.IsCompleted);
        hangUp.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(15));
        await AssertHangUpLoggedAsync(gateway);
    }

    /// <summary>A hang-up is no server error: one request log line, status 499 (the client closed the request), no error records.</summary>
    private static async Task AssertHangUpLoggedAsync(InProcessGateway gateway)
    {
        for (int i = 0; i < 250 && !gateway.Logs.GetSnapshot().Any(static r => r.Message.StartsWith("chat.completions", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(20);
        }

        Assert.DoesNotContain(gateway.Logs.GetSnapshot(), static r => r.Level >= LogLevel.Error);
        FakeLogRecord log = Assert.Single(gateway.Logs.GetSnapshot(), static r => r.Message.StartsWith("chat.completions", StringComparison.Ordinal));
        Assert.Contains(" status=499 ", log.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<string> DeltaOf(string line)
    {
        if (!line.StartsWith("data: {", StringComparison.Ordinal))
        {
            yield break;
        }

        using JsonDocument chunk = JsonDocument.Parse(line["data: ".Length..]);
        if (chunk.RootElement.GetProperty("choices") is { } choices && choices.GetArrayLength() > 0 &&
            choices[0].GetProperty("delta").TryGetProperty("content", out JsonElement content) && content.GetString() is { Length: > 0 } text)
        {
            yield return text;
        }
    }
}
