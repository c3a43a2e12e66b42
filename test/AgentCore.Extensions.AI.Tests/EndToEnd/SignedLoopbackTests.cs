// Licensed under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Net;
using System.Text.Json;
using AgentCore.Extensions.AI.Tests.Infrastructure;
using Amazon.Runtime;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace AgentCore.Extensions.AI.Tests.EndToEnd;

/// <summary>
/// Starts <c>test/peers/sigv4-agent-server.mjs</c> once: a loopback AgentCore data plane that verifies every request's
/// SigV4 signature with the AWS JS SDK's own signer (@smithy/signature-v4) and streams Strands SSE events back.
/// </summary>
public sealed class SignedLoopbackServerFixture : IAsyncLifetime
{
    public const string Region = "us-west-2";
    public const string BasicAccessKeyId = "AKIDE2EBASIC0000001";
    public const string BasicSecretKey = "e2eBasicSecret/K7MDENG+bPxRfiCYEXAMPLEKEY1";
    public const string SessionAccessKeyId = "ASIAE2ESESSION00001";
    public const string SessionSecretKey = "e2eSessionSecret/K7MDENG+bPxRfiCYEXAMPLE2";
    public const string SessionToken = "FwoGZXIvYXdzEE2eSessionToken/AbCdEf+GhIjKl0123456789==";

    private NodeProcess? _server;

    public NodeProcess Server => _server ?? throw new InvalidOperationException("The server is not running.");

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        (NodeProcess process, string port) = await NodePeers.StartAsync(
            "sigv4-agent-server.mjs",
            "LISTENING",
            "--region", Region,
            "--credential", $"{BasicAccessKeyId}:{BasicSecretKey}",
            "--credential", $"{SessionAccessKeyId}:{SessionSecretKey}:{SessionToken}",
            "--max-lifetime-seconds", "300");
        _server = process;
        Port = int.Parse(port, System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The JSON lines the server printed for one session, of one type (request, completed, aborted).</summary>
    public IReadOnlyList<JsonElement> Lines(string sessionId, string type) =>
        Server.OutputLines.Select(Parse).Where(e => e is { } el && Is(el, sessionId, type)).Select(e => e!.Value).ToList();

    /// <summary>Waits (the server's stdout reaches us a little after its socket writes) until it printed <paramref name="count"/> such lines.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForLinesAsync(string sessionId, string type, int count = 1)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        IReadOnlyList<JsonElement> lines;
        while ((lines = Lines(sessionId, type)).Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return lines;
    }

    public static bool Is(JsonElement line, string sessionId, string type) =>
        line.ValueKind == JsonValueKind.Object
        && line.TryGetProperty("type", out JsonElement t) && t.GetString() == type
        && line.TryGetProperty("sessionId", out JsonElement s) && s.ValueKind == JsonValueKind.String && s.GetString() == sessionId;

    public static JsonElement? Parse(string line)
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
/// End to end over real loopback HTTP, through the library's own handler and the real clock: the server checks our
/// signature with an independent SigV4 implementation and streams an answer.
/// </summary>
public sealed class SignedLoopbackTests(SignedLoopbackServerFixture server, ITestOutputHelper output) : IClassFixture<SignedLoopbackServerFixture>
{
    private const string Prompt = "Hello from the signed loopback test";
    private const string ExpectedText = "You said: " + Prompt;

    // The server: inputTokens = words of the prompt (6), outputTokens = number of text deltas
    // ("You ", "said: ", "Hello ", "from ", "the ", "signed ", "loopback ", "test" = 8).
    private const long ExpectedInputTokens = 6;
    private const long ExpectedOutputTokens = 8;

    private static readonly TimeSpan AbortDeadline = TimeSpan.FromSeconds(2);

    private AgentCoreChatClient CreateClient(AWSCredentials? credentials = null, string? qualifier = null) =>
        new(new AgentCoreChatClientOptions
        {
            RuntimeArn = TestClients.Arn,
            Endpoint = new Uri($"http://127.0.0.1:{server.Port}"),
            Credentials = credentials ?? new BasicAWSCredentials(SignedLoopbackServerFixture.BasicAccessKeyId, SignedLoopbackServerFixture.BasicSecretKey),
            Qualifier = qualifier,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        });

    private static ChatOptions NewSession(out string sessionId)
    {
        sessionId = "e2e-session-" + Guid.NewGuid().ToString("N");
        return new ChatOptions { ConversationId = sessionId };
    }

    private static string Text(IEnumerable<ChatResponseUpdate> updates) =>
        string.Concat(updates.SelectMany(u => u.Contents).OfType<TextContent>().Select(t => t.Text));

    private async Task<JsonElement> SingleRequestAsync(string sessionId)
    {
        JsonElement line = Assert.Single(await server.WaitForLinesAsync(sessionId, "request"));
        Assert.True(line.GetProperty("signatureValid").GetBoolean(), $"The server rejected the signature: {line}");
        Assert.Equal(200, line.GetProperty("status").GetInt32());
        return line;
    }

    [Fact]
    public async Task Streaming_ServerVerifiesSignature_AndEveryStreamedWordArrives()
    {
        using var client = CreateClient();
        ChatOptions options = NewSession(out string sessionId);

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Prompt, options))
        {
            updates.Add(update);
        }

        JsonElement request = await SingleRequestAsync(sessionId);
        string requestId = request.GetProperty("requestId").GetString()!;
        Assert.Equal($"/runtimes/{TestClients.EncodedArn}/invocations", request.GetProperty("path").GetString());
        Assert.Equal(string.Empty, request.GetProperty("rawQuery").GetString());
        Assert.Equal(TestClients.Arn, request.GetProperty("runtimeArn").GetString());
        Assert.False(request.GetProperty("securityToken").GetBoolean());
        Assert.Equal(Prompt, request.GetProperty("prompt").GetString());

        Assert.Equal(ExpectedText, Text(updates));
        Assert.True(updates.Count(u => u.Contents.OfType<TextContent>().Any()) >= 8, $"expected one update per streamed word, got {updates.Count} updates");
        Assert.Contains(updates, u => u.FinishReason == ChatFinishReason.Stop);

        UsageContent usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>());
        Assert.Equal(ExpectedInputTokens, usage.Details.InputTokenCount);
        Assert.Equal(ExpectedOutputTokens, usage.Details.OutputTokenCount);
        Assert.Equal(ExpectedInputTokens + ExpectedOutputTokens, usage.Details.TotalTokenCount);

        Assert.All(updates, u =>
        {
            Assert.Equal(requestId, u.MessageId);
            Assert.Equal(sessionId, u.ConversationId);
        });

        JsonElement completed = Assert.Single(await server.WaitForLinesAsync(sessionId, "completed"));
        Assert.Equal(ExpectedText, completed.GetProperty("text").GetString());
    }

    [Fact]
    public async Task NonStreaming_AssemblesTheWholeStreamedAnswerAndUsage()
    {
        using var client = CreateClient();
        ChatOptions options = NewSession(out string sessionId);

        ChatResponse response = await client.GetResponseAsync(Prompt, options);

        JsonElement request = await SingleRequestAsync(sessionId);
        Assert.Equal(ExpectedText, response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(sessionId, response.ConversationId);
        Assert.Equal(request.GetProperty("requestId").GetString(), response.ResponseId);
        Assert.NotNull(response.Usage);
        Assert.Equal(ExpectedInputTokens, response.Usage.InputTokenCount);
        Assert.Equal(ExpectedOutputTokens, response.Usage.OutputTokenCount);
        Assert.Equal(ExpectedInputTokens + ExpectedOutputTokens, response.Usage.TotalTokenCount);
        Assert.Single(await server.WaitForLinesAsync(sessionId, "completed"));
    }

    [Fact]
    public async Task SessionCredentials_SignTheSecurityToken_AndTheSignatureVerifies()
    {
        using var client = CreateClient(new SessionAWSCredentials(
            SignedLoopbackServerFixture.SessionAccessKeyId,
            SignedLoopbackServerFixture.SessionSecretKey,
            SignedLoopbackServerFixture.SessionToken));
        ChatOptions options = NewSession(out string sessionId);

        ChatResponse response = await client.GetResponseAsync(Prompt, options);

        JsonElement request = await SingleRequestAsync(sessionId);
        Assert.True(request.GetProperty("securityToken").GetBoolean());
        Assert.Contains("x-amz-security-token", request.GetProperty("signedHeaders").GetString()!.Split(';'));
        Assert.Equal(ExpectedText, response.Text);
    }

    [Fact]
    public async Task WrongSecretKey_IsRejectedBySignatureCheck_AndNoSecretLeaksIntoTheException()
    {
        const string wrongSecret = "e2eWRONGSecret/zzzzzzzzzzzzzzzzzzzzzzzzzzz9";
        using var client = CreateClient(new SessionAWSCredentials(
            SignedLoopbackServerFixture.SessionAccessKeyId,
            wrongSecret,
            SignedLoopbackServerFixture.SessionToken));
        ChatOptions options = NewSession(out string sessionId);

        AgentCoreException e = await Assert.ThrowsAsync<AgentCoreException>(() => client.GetResponseAsync(Prompt, options));

        Assert.Equal(AgentCoreErrorKind.Unauthorized, e.Kind);
        Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);
        Assert.Equal("InvalidSignatureException", e.ErrorType);
        Assert.False(e.IsRetryable);
        Assert.Equal(sessionId, e.SessionId);

        JsonElement request = Assert.Single(await server.WaitForLinesAsync(sessionId, "request"));
        Assert.False(request.GetProperty("signatureValid").GetBoolean());
        Assert.Equal(request.GetProperty("requestId").GetString(), e.RequestId);

        foreach (string text in new[] { e.Message, e.ToString() })
        {
            Assert.DoesNotContain(wrongSecret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(SignedLoopbackServerFixture.SessionSecretKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain(SignedLoopbackServerFixture.SessionToken, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ThrottledOnce_IsRetriedWithAFreshValidSignature_AndSucceeds()
    {
        using var client = CreateClient();
        ChatOptions options = NewSession(out string sessionId);
        const string prompt = "please throttle me once";

        ChatResponse response = await client.GetResponseAsync(prompt, options);

        Assert.Equal("You said: " + prompt, response.Text);
        IReadOnlyList<JsonElement> requests = await server.WaitForLinesAsync(sessionId, "request", 2);
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.True(r.GetProperty("signatureValid").GetBoolean(), $"The server rejected the signature: {r}"));
        Assert.Equal([429, 200], requests.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal(requests[1].GetProperty("requestId").GetString(), response.ResponseId);
    }

    [Fact]
    public async Task CancellingMidStream_ThrowsToTheCaller_AndHangsUpOnTheServerAtOnce()
    {
        using var client = CreateClient();
        ChatOptions options = NewSession(out string sessionId);
        using var cts = new CancellationTokenSource();
        var texts = new List<string>();
        var sinceCancel = new Stopwatch();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("a slow answer please", options, cts.Token))
            {
                if (update.Text is { Length: > 0 } text)
                {
                    texts.Add(text);
                }

                if (texts.Count == 3)
                {
                    sinceCancel.Start();
                    await cts.CancelAsync();
                }
            }
        });

        Assert.Equal(["word1 ", "word2 ", "word3 "], texts);
        await AssertServerSawHangUp(sessionId, sinceCancel);
    }

    [Fact]
    public async Task AbandoningTheStreamByBreak_HangsUpOnTheServerAtOnce()
    {
        using var client = CreateClient();
        ChatOptions options = NewSession(out string sessionId);
        var texts = new List<string>();
        var sinceBreak = new Stopwatch();

        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("another slow answer please", options))
        {
            if (update.Text is { Length: > 0 } text)
            {
                texts.Add(text);
            }

            if (texts.Count == 3)
            {
                sinceBreak.Start();
                break;
            }
        }

        Assert.Equal(["word1 ", "word2 ", "word3 "], texts);
        await AssertServerSawHangUp(sessionId, sinceBreak);
    }

    [Fact]
    public async Task PerRequestQualifier_ReachesTheQueryString_AndTheSignatureCoversIt()
    {
        using var client = CreateClient(qualifier: "DEFAULT");
        ChatOptions options = NewSession(out string sessionId);
        options.AdditionalProperties = new AdditionalPropertiesDictionary { ["qualifier"] = "production" };

        ChatResponse response = await client.GetResponseAsync(Prompt, options);

        JsonElement request = await SingleRequestAsync(sessionId);
        Assert.Equal("production", request.GetProperty("qualifier").GetString());
        Assert.Equal("qualifier=production", request.GetProperty("rawQuery").GetString());
        Assert.Equal(ExpectedText, response.Text);
    }

    [Theory]
    [InlineData("v1.2_x-y~z", null, null, "plain ascii")]
    [InlineData("my endpoint", null, null, "plain ascii")]
    [InlineData("a+b=c&d", null, null, "plain ascii")]
    [InlineData("*!'()ünï", null, null, "plain ascii")]
    [InlineData("DEFAULT", "123456789012", "user@example.com", "plain ascii")]
    [InlineData(null, null, " user  with   runs of spaces ", "héllo wörld ✓ 日本")]
    public async Task Signature_Verifies_ForQueryValuesThatNeedEncoding_AccountId_UserId_AndNonAsciiBody(
        string? qualifier, string? accountId, string? userId, string prompt)
    {
        using var client = CreateClient();
        ChatOptions options = NewSession(out string sessionId);
        options.AdditionalProperties = [];
        if (qualifier is not null)
        {
            options.AdditionalProperties["qualifier"] = qualifier;
        }

        if (accountId is not null)
        {
            options.AdditionalProperties["accountId"] = accountId;
        }

        if (userId is not null)
        {
            options.AdditionalProperties["runtimeUserId"] = userId;
        }

        ChatResponse response = await client.GetResponseAsync(prompt, options);

        JsonElement request = await SingleRequestAsync(sessionId);
        JsonElement query = request.GetProperty("query");
        Assert.Equal(qualifier, query.TryGetProperty("qualifier", out JsonElement q) ? q.GetString() : null);
        Assert.Equal(accountId, query.TryGetProperty("accountId", out JsonElement a) ? a.GetString() : null);
        Assert.Equal(userId is not null, request.GetProperty("signedHeaders").GetString()!.Split(';').Contains("x-amzn-bedrock-agentcore-runtime-user-id"));
        Assert.Equal(prompt, request.GetProperty("prompt").GetString());
        Assert.Equal("You said: " + prompt, response.Text);
    }

    [Fact]
    public async Task StreamCutByTheServer_IsAResponseTruncatedError_NeverAShorterAnswer()
    {
        using var client = CreateClient();
        ChatOptions options = NewSession(out string sessionId);
        const string prompt = "please truncate this answer somewhere in the middle";

        AgentCoreException e = await Assert.ThrowsAsync<AgentCoreException>(() => client.GetResponseAsync(prompt, options));

        JsonElement request = await SingleRequestAsync(sessionId);
        Assert.Single(await server.WaitForLinesAsync(sessionId, "truncated"));
        Assert.Equal(AgentCoreErrorKind.ResponseTruncated, e.Kind);
        Assert.Equal(HttpStatusCode.OK, e.StatusCode);
        Assert.Equal(request.GetProperty("requestId").GetString(), e.RequestId);
        Assert.Equal(sessionId, e.SessionId);
        Assert.NotNull(e.PartialResponse);
        Assert.Equal("You said: please ", e.PartialResponse.Text);
    }

    [Fact]
    public async Task StreamCutByTheServer_WhileStreaming_KeepsTheWordsAlreadyHandedOut_ThenThrowsResponseTruncated()
    {
        using var client = CreateClient();
        ChatOptions options = NewSession(out string sessionId);
        var texts = new List<string>();

        AgentCoreException e = await Assert.ThrowsAsync<AgentCoreException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("truncate me while streaming", options))
            {
                texts.Add(update.Text);
            }
        });

        Assert.Equal(AgentCoreErrorKind.ResponseTruncated, e.Kind);
        Assert.Equal("You said: truncate ", string.Concat(texts));
        Assert.Single(await server.WaitForLinesAsync(sessionId, "truncated"));
    }

    private async Task AssertServerSawHangUp(string sessionId, Stopwatch sinceHangUp)
    {
        Assert.True(sinceHangUp.IsRunning, "the stream ended before three words arrived");
        string line = await server.Server.WaitForLineAsync(
            l => SignedLoopbackServerFixture.Parse(l) is { } e && SignedLoopbackServerFixture.Is(e, sessionId, "aborted"),
            AbortDeadline);
        sinceHangUp.Stop();

        await SingleRequestAsync(sessionId);
        JsonElement aborted = SignedLoopbackServerFixture.Parse(line)!.Value;
        output.WriteLine($"The server saw the hang-up {sinceHangUp.Elapsed.TotalMilliseconds:F0} ms after it, having written {aborted.GetProperty("sent").GetInt32()} events.");

        // The slow answer is ~100 events 100 ms apart: a drained connection would have taken ~10 s and sent them all.
        Assert.True(aborted.GetProperty("sent").GetInt32() < 20, $"the server wrote {aborted.GetProperty("sent").GetInt32()} events before the hang-up");
        Assert.True(sinceHangUp.Elapsed < AbortDeadline, $"the hang-up reached the server after {sinceHangUp.Elapsed}");
        Assert.Empty(server.Lines(sessionId, "completed"));
    }
}
