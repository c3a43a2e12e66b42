// Licensed under the Apache License, Version 2.0.

using System.Net;
using System.Text;
using System.Text.Json;
using AgentCore.Extensions.AI.Testing;
using AgentCore.Extensions.AI.Tests.Infrastructure;
using Amazon.Runtime;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Tests.LocalRuntime;

/// <summary>The local AgentCore runtime: both faces, signature checks, sessions, every reply shape, over loopback and in memory.</summary>
public sealed class LocalAgentRuntimeTests
{
    private static ChatOptions Session(out string sessionId)
    {
        sessionId = "local-test-session-" + Guid.NewGuid().ToString("N");
        return new ChatOptions { ConversationId = sessionId };
    }

    [Fact]
    public async Task Loopback_DemoAgent_StreamsWordByWord_VerifiesSignatures_AndRemembersTheSession()
    {
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions { VerifySignaturesWith = LocalAgentRuntime.TestCredentials });
        using var client = runtime.CreateChatClient();
        ChatOptions options = Session(out string sessionId);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("What is AgentCore?", options))
        {
            updates.Add(update);
        }

        ChatResponse first = updates.ToChatResponse();
        ChatResponse second = await client.GetResponseAsync("And sessions?", options);

        Assert.StartsWith("http://127.0.0.1:", runtime.BaseAddress.AbsoluteUri);
        Assert.True(updates.Count(u => u.Text.Length > 0) > 20, "the demo agent streams word by word");
        Assert.StartsWith("I am the local demo agent of AgentCore.Extensions.AI", first.Text);
        Assert.Contains("You asked: \"What is AgentCore?\". This is turn 1 of session " + sessionId + ".", first.Text);
        Assert.Contains("This is turn 2 of session " + sessionId + ". Earlier in this session you asked: \"What is AgentCore?\".", second.Text);
        Assert.Equal(3, first.Usage!.InputTokenCount);
        Assert.Equal(first.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, first.Usage.OutputTokenCount);
        Assert.Equal(sessionId, second.ConversationId);
        Assert.Equal([first.Text, second.Text], runtime.GetHistory(sessionId).Select(t => t.Answer));
        Assert.All(runtime.Requests, r => Assert.True(r.SignatureValid));
        Assert.All(runtime.Requests, r => Assert.Equal(AgentRoute.DataPlane, r.Route));
    }

    [Fact]
    public async Task WrongCredentials_Get403InvalidSignature()
    {
        await using var runtime = LocalAgentRuntime.StartInMemory(new LocalAgentRuntimeOptions { VerifySignaturesWith = LocalAgentRuntime.TestCredentials });
        using var client = runtime.CreateChatClient(configure: o => o.Credentials = new BasicAWSCredentials("AKIDLOCALAGENTRUNTIME", "not-the-secret"));

        var e = await Assert.ThrowsAsync<AgentCoreException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(AgentCoreErrorKind.Unauthorized, e.Kind);
        Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);
        Assert.Equal("InvalidSignatureException", e.ErrorType);
        Assert.False(Assert.Single(runtime.Requests).SignatureValid);
    }

    [Fact]
    public async Task ARequestSignedByTheOfficialJsClient_Verifies_AndATamperedOneDoesNot()
    {
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions { VerifySignaturesWith = LocalAgentRuntime.TestCredentials });
        ImmutableCredentials credentials = LocalAgentRuntime.TestCredentials.GetCredentials();
        string sessionId = "js-signed-session-" + Guid.NewGuid().ToString("N");
        string input = JsonSerializer.Serialize(new
        {
            runtimeArn = runtime.RuntimeArn, qualifier = "DEFAULT", accountId = (string?)null, sessionId, userId = (string?)null,
            contentType = "application/json", accept = "application/json, text/event-stream", body = """{"prompt":"signed by JS"}""",
            accessKeyId = credentials.AccessKey, secretAccessKey = credentials.SecretKey, sessionToken = (string?)null,
            region = "us-west-2", endpoint = runtime.BaseAddress.GetLeftPart(UriPartial.Authority),
            signingTime = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        });
        using JsonDocument signed = JsonDocument.Parse(await NodePeers.RunAsync("sign-invoke.mjs", input));

        async Task<HttpResponseMessage> SendAsync(string body)
        {
            using var http = new HttpClient();
            var request = new HttpRequestMessage(HttpMethod.Post, signed.RootElement.GetProperty("url").GetString()) { Content = new StringContent(body) };
            request.Content.Headers.Remove("Content-Type");
            foreach (JsonProperty header in signed.RootElement.GetProperty("headers").EnumerateObject())
            {
                if (header.Name is "host" or "content-length")
                {
                    continue;
                }

                if (!request.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString()))
                {
                    request.Content.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString());
                }
            }

            return await http.SendAsync(request);
        }

        using HttpResponseMessage ok = await SendAsync("""{"prompt":"signed by JS"}""");
        using HttpResponseMessage tampered = await SendAsync("""{"prompt":"signed by JS!"}""");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        Assert.Equal("InvalidSignatureException", tampered.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal([true, false], runtime.Requests.Select(r => r.SignatureValid!.Value));
        Assert.Equal("text/event-stream", ok.Content.Headers.ContentType!.MediaType);
        Assert.Equal("signed by JS", Assert.Single(runtime.GetHistory(sessionId)).Prompt);
    }

    public static TheoryData<string, Func<AgentInvocation, AgentReply>, string> ReplyShapes => new()
    {
        { "json result", _ => AgentReply.JsonResult("a JSON result"), "a JSON result" },
        { "strands message", _ => AgentReply.StrandsMessage("a Strands message"), "a Strands message" },
        { "plain text", _ => AgentReply.PlainText("plain ünïcode ✓"), "plain ünïcode ✓" },
        { "strands events", i => AgentReply.StrandsEvents(["You ", "said ", i.Prompt!]), "You said echo me" },
        { "json strings", _ => AgentReply.JsonStringEvents(["py", "thon ", "strings"]), "python strings" },
        { "raw text", _ => AgentReply.RawTextEvents(["raw ", "line one\nline two", " end "]), "raw line one\nline two end " },
        { "custom body", _ => AgentReply.Body("application/json", """{"output": {"text": "custom"}}"""u8.ToArray(), "custom"), "custom" },
    };

    [Theory]
    [MemberData(nameof(ReplyShapes))]
    public async Task EveryReplyShape_DecodesToItsText_InMemory_BothRoutes(string shape, Func<AgentInvocation, AgentReply> agent, string expected)
    {
        await using var runtime = LocalAgentRuntime.StartInMemory(new LocalAgentRuntimeOptions { Agent = agent });
        foreach (AgentRoute route in new[] { AgentRoute.DataPlane, AgentRoute.Container })
        {
            using var client = runtime.CreateChatClient(route);
            ChatResponse response = await client.GetResponseAsync("echo me");
            Assert.True(expected == response.Text, $"{shape} over {route}: got '{response.Text}'");
        }

        Assert.Equal([AgentRoute.DataPlane, AgentRoute.Container], runtime.Requests.Select(r => r.Route!.Value));
    }

    [Theory]
    [InlineData(false, "RuntimeError", "The agent reported an error in its answer (RuntimeError): model overloaded")]
    [InlineData(true, null, "The agent reported an error in its answer: model overloaded")]
    public async Task StreamThenError_GivesTheTextThenAnAgentError(bool typeScriptStyle, string? errorType, string message)
    {
        await using var runtime = LocalAgentRuntime.StartInMemory(new LocalAgentRuntimeOptions { Agent = _ => AgentReply.StreamThenError(["partial ", "answer"], "model overloaded", typeScriptStyle: typeScriptStyle) });
        using var client = runtime.CreateChatClient();

        var e = await Assert.ThrowsAsync<AgentCoreException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(AgentCoreErrorKind.AgentError, e.Kind);
        Assert.Equal(errorType, e.ErrorType);
        Assert.Equal(message, e.Message);
        Assert.Equal("partial answer", e.PartialResponse!.Text);
        Assert.Empty(runtime.Sessions);
    }

    [Fact]
    public async Task ServiceErrors_AreTheServicesShape_AndRetriedWhenRetryable()
    {
        int calls = 0;
        await using var runtime = LocalAgentRuntime.StartInMemory(new LocalAgentRuntimeOptions
        {
            Agent = _ => ++calls == 1 ? AgentReply.ServiceError(429, "ThrottlingException", "Rate exceeded") : AgentReply.JsonResult("second try"),
        });
        using var client = runtime.CreateChatClient(configure: o => o.RetryBaseDelay = TimeSpan.Zero);

        ChatResponse response = await client.GetResponseAsync("hi");

        Assert.Equal("second try", response.Text);
        Assert.Equal([429, 200], runtime.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task AnAgentThatThrows_IsARuntimeClientError()
    {
        await using var runtime = LocalAgentRuntime.StartInMemory(new LocalAgentRuntimeOptions { Agent = _ => throw new InvalidOperationException("no model configured") });
        using var client = runtime.CreateChatClient();
        var e = await Assert.ThrowsAsync<AgentCoreException>(() => client.GetResponseAsync("hi"));
        Assert.Equal(AgentCoreErrorKind.RuntimeClientError, e.Kind);
        Assert.Equal(HttpStatusCode.FailedDependency, e.StatusCode);
        Assert.Contains("The agent failed: no model configured", e.Message);
    }

    [Fact]
    public async Task Delayed_CancellationReachesTheAgent()
    {
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions { Agent = _ => AgentReply.Delayed(TimeSpan.FromSeconds(30), AgentReply.JsonResult("too late")) });
        using var client = runtime.CreateChatClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("hi", cancellationToken: cts.Token));

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.Empty(runtime.Sessions);
    }

    [Fact]
    public async Task ServiceRules_SessionLength_UnknownRuntime_Ping_AndStopSession()
    {
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions { Agent = _ => AgentReply.JsonResult("ok") });
        using var http = new HttpClient { BaseAddress = runtime.BaseAddress };

        using HttpResponseMessage ping = await http.GetAsync("/ping");
        using var shortSession = new HttpRequestMessage(HttpMethod.Post, "/invocations") { Content = new StringContent("""{"prompt":"x"}""", Encoding.UTF8, "application/json") };
        shortSession.Headers.Add("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", "too-short");
        using HttpResponseMessage rejected = await http.SendAsync(shortSession);
        using HttpResponseMessage generated = await http.PostAsync("/invocations", new StringContent("""{"prompt":"x"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.Equal("Healthy", JsonDocument.Parse(await ping.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Equal("ValidationException", rejected.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.StartsWith("local-session-", generated.Headers.GetValues("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id").Single());

        using var otherRuntime = runtime.CreateChatClient(configure: o => o.RuntimeArn = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/someone-else");
        Assert.Equal(AgentCoreErrorKind.NotFound, (await Assert.ThrowsAsync<AgentCoreException>(() => otherRuntime.GetResponseAsync("hi"))).Kind);

        using var client = runtime.CreateChatClient();
        ChatResponse answered = await client.GetResponseAsync("hi", Session(out string sessionId));
        Assert.Single(runtime.GetHistory(sessionId));
        await client.StopRuntimeSessionAsync(sessionId);
        Assert.Empty(runtime.GetHistory(sessionId));
        Assert.Equal(AgentCoreErrorKind.NotFound, (await Assert.ThrowsAsync<AgentCoreException>(() => client.StopRuntimeSessionAsync(sessionId))).Kind);
    }

    [Fact]
    public async Task Invocation_CarriesWhatArrived()
    {
        AgentInvocation? seen = null;
        await using var runtime = LocalAgentRuntime.StartInMemory(new LocalAgentRuntimeOptions { Agent = i => { seen = i; return AgentReply.JsonResult("ok"); } });
        using var client = runtime.CreateChatClient(configure: o => o.PayloadFormat = AgentCorePayloadFormat.Messages);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "first"), new ChatMessage(ChatRole.Assistant, "reply"), new ChatMessage(ChatRole.User, "second")],
            new ChatOptions().WithQualifier("production").WithRuntimeUserId("user-7").WithRuntimeSessionId("invocation-session-0123456789abcdef0123"));

        Assert.NotNull(seen);
        Assert.Equal(AgentRoute.DataPlane, seen.Route);
        Assert.Equal("second", seen.Prompt);
        Assert.Equal("production", seen.Qualifier);
        Assert.Equal("user-7", seen.UserId);
        Assert.Equal("invocation-session-0123456789abcdef0123", seen.SessionId);
        Assert.Equal(1, seen.TurnNumber);
        Assert.StartsWith("{\"messages\":[", seen.PayloadText);
        Assert.Equal("application/json", seen.ContentType);
    }
}
