// Licensed under the Apache License, Version 2.0.

using System.Net;
using System.Text.Json;
using AgentCore.Extensions.AI.Testing;
using AgentCore.Gateway.Tests.Infrastructure;

namespace AgentCore.Gateway.Tests;

/// <summary>The runtime session goes back to the client, and sending it back continues the agent's session; LiteLLM's provider parameters.</summary>
public sealed class SessionTests
{
    private static AgentReply TurnAgent(AgentInvocation invocation) =>
        AgentReply.StrandsEvents([$"turn {invocation.TurnNumber}: ", invocation.Prompt ?? string.Empty], usage: (1, 2));

    private static async Task<(string Text, string Session, string Header)> AskAsync(InProcessGateway gateway, string prompt, string? session, bool stream)
    {
        var extra = session is null ? Array.Empty<(string, object?)>() : [("runtimeSessionId", session)];
        using HttpResponseMessage response = await gateway.ChatAsync(InProcessGateway.Body("my-agent", prompt, stream, extra));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string header = Assert.Single(response.Headers.GetValues("x-agentcore-session-id"));
        string body = await response.Content.ReadAsStringAsync();
        if (!stream)
        {
            using JsonDocument document = JsonDocument.Parse(body);
            return (document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!,
                document.RootElement.GetProperty("agentcore_session_id").GetString()!, header);
        }

        IReadOnlyList<JsonElement> chunks = Sse.ChunksOf(body);
        return (string.Concat(Sse.Deltas(chunks)), chunks[0].GetProperty("agentcore_session_id").GetString()!, header);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SendingTheReturnedSessionBack_ContinuesTheAgentsSession(bool stream)
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(TurnAgent);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        (string text1, string session, string header1) = await AskAsync(gateway, "reset my password", null, stream);
        Assert.Equal("turn 1: reset my password", text1);
        Assert.Equal(session, header1);
        Assert.InRange(session.Length, 33, 256);

        (string text2, string session2, string header2) = await AskAsync(gateway, "and my username?", session, stream);
        Assert.Equal("turn 2: and my username?", text2);
        Assert.Equal(session, session2);
        Assert.Equal(session, header2);

        Assert.Equal(["reset my password", "and my username?"], runtime.GetHistory(session).Select(static t => t.Prompt));
        Assert.All(runtime.Requests, r => Assert.Equal(session, r.SessionId));

        // Without it, a new session.
        (string text3, string session3, _) = await AskAsync(gateway, "hello?", null, stream);
        Assert.Equal("turn 1: hello?", text3);
        Assert.NotEqual(session, session3);
    }

    [Fact]
    public async Task TheOpenAiNodeClient_ContinuesASession_WithRuntimeSessionIdInTheBody()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(TurnAgent);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        JsonElement first = await NodePeers.OpenAiChatAsync(gateway.BaseAddress, Configs.MasterKey, "my-agent", "first question", stream: false);
        string session = first.GetProperty("sessionId").GetString()!;
        JsonElement second = await NodePeers.OpenAiChatAsync(gateway.BaseAddress, Configs.MasterKey, "my-agent", "second question", stream: true, runtimeSessionId: session);

        Assert.Equal("turn 1: first question", first.GetProperty("text").GetString());
        Assert.Equal("turn 2: second question", second.GetProperty("text").GetString());
        Assert.Equal(session, second.GetProperty("sessionId").GetString());
        Assert.Equal(2, runtime.GetHistory(session).Count);
    }

    [Fact]
    public async Task QualifierAndSession_FromTheBody_OverrideTheDeploymentsDefaults()
    {
        const string defaultSession = "deployment-default-session-0123456789abcdef";
        const string bodySession = "session-from-the-request-body-0123456789";
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(TurnAgent);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(
            Configs.Yaml(Configs.DataPlane("my-agent", runtime, "qualifier: DEFAULT", $"runtimeSessionId: {defaultSession}")));

        using HttpResponseMessage defaults = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "one"));
        using HttpResponseMessage overridden = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "two", false, ("qualifier", "production"), ("runtimeSessionId", bodySession)));

        Assert.Equal(HttpStatusCode.OK, defaults.StatusCode);
        Assert.Equal(HttpStatusCode.OK, overridden.StatusCode);
        RecordedAgentRequest[] requests = [.. runtime.Requests];
        Assert.EndsWith("/invocations?qualifier=DEFAULT", requests[0].RawTarget, StringComparison.Ordinal);
        Assert.Equal(defaultSession, requests[0].SessionId);
        Assert.EndsWith("/invocations?qualifier=production", requests[1].RawTarget, StringComparison.Ordinal);
        Assert.Equal(bodySession, requests[1].SessionId);
        Assert.All(requests, static r => Assert.True(r.SignatureValid));
        Assert.Equal(bodySession, Assert.Single(overridden.Headers.GetValues("x-agentcore-session-id")));
    }
}
