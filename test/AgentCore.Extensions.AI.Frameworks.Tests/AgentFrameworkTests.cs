// Licensed under the Apache License, Version 2.0.

using System.Text.Json;
using AgentCore.Extensions.AI.Testing;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Frameworks.Tests;

/// <summary>
/// Microsoft Agent Framework 1.28 (<c>ChatClientAgent</c>) over the real AgentCoreChatClient and a local AgentCore runtime
/// that verifies SigV4. MAF's <c>AgentSession</c> (called a thread before 1.0) maps to the AgentCore runtime session.
/// </summary>
public sealed class AgentFrameworkTests
{
    private static Task<LocalAgentRuntime> StartRuntimeAsync() => LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
    {
        // "Turn N. You asked: <prompt>." and, from turn 2 on, " Before: <turn 1's prompt>.", one chunk each.
        Agent = invocation => AgentReply.StrandsEvents(
            invocation.History.Count == 0
                ? [$"Turn {invocation.TurnNumber}. ", $"You asked: {invocation.Prompt}."]
                : [$"Turn {invocation.TurnNumber}. ", $"You asked: {invocation.Prompt}.", $" Before: {invocation.History[0].Prompt}."],
            usage: (12, 6)),
        VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
    });

    private static string? ConversationIdOf(AgentSession session) => Assert.IsType<ChatClientAgentSession>(session).ConversationId;

    [Fact]
    public async Task RunAsync_ReturnsTheAgentsText_AndStoresTheRuntimeSessionInTheAgentSession()
    {
        await using LocalAgentRuntime runtime = await StartRuntimeAsync();
        using IChatClient client = runtime.CreateChatClient();
        ChatClientAgent agent = client.AsAIAgent(instructions: "You are a support agent.", name: "support");
        AgentSession session = await agent.CreateSessionAsync();
        Assert.Null(ConversationIdOf(session));

        AgentResponse response = await agent.RunAsync("reset my password", session);

        Assert.Equal("Turn 1. You asked: reset my password.", response.Text);
        Assert.Equal("support", Assert.Single(response.Messages).AuthorName);
        Assert.Equal(18, response.Usage?.TotalTokenCount);
        RecordedAgentRequest request = Assert.Single(runtime.Requests);
        Assert.True(request.SignatureValid);
        Assert.Equal("""{"prompt":"reset my password"}""", request.BodyText);

        // ChatClientAgent copies ChatResponse.ConversationId into the session at the end of the run.
        Assert.Equal(request.SessionId, ConversationIdOf(session));
        Assert.StartsWith("agentcore-session-", request.SessionId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunStreamingAsync_StreamsTheAgentsChunks_AndStoresTheRuntimeSession()
    {
        await using LocalAgentRuntime runtime = await StartRuntimeAsync();
        using IChatClient client = runtime.CreateChatClient();
        ChatClientAgent agent = client.AsAIAgent(name: "support");
        AgentSession session = await agent.CreateSessionAsync();

        var chunks = new List<string>();
        await foreach (AgentResponseUpdate update in agent.RunStreamingAsync("reset my password", session))
        {
            if (update.Text.Length > 0)
            {
                chunks.Add(update.Text);
            }
        }

        Assert.Equal(["Turn 1. ", "You asked: reset my password."], chunks);
        RecordedAgentRequest request = Assert.Single(runtime.Requests);
        Assert.True(request.SignatureValid);
        Assert.Equal(request.SessionId, ConversationIdOf(session));
    }

    [Fact]
    public async Task OneAgentSession_IsOneRuntimeSession_AndANewAgentSessionIsANewOne()
    {
        await using LocalAgentRuntime runtime = await StartRuntimeAsync();
        using IChatClient client = runtime.CreateChatClient();
        ChatClientAgent agent = client.AsAIAgent(name: "support");
        AgentSession first = await agent.CreateSessionAsync();

        AgentResponse turn1 = await agent.RunAsync("reset my password", first);
        var turn2 = new List<string>();
        await foreach (AgentResponseUpdate update in agent.RunStreamingAsync("and my username?", first))
        {
            turn2.Add(update.Text);
        }

        AgentSession second = await agent.CreateSessionAsync();
        AgentResponse other = await agent.RunAsync("hello", second);

        Assert.Equal("Turn 1. You asked: reset my password.", turn1.Text);
        Assert.Equal("Turn 2. You asked: and my username?. Before: reset my password.", string.Concat(turn2));
        Assert.Equal("Turn 1. You asked: hello.", other.Text);

        string session1 = ConversationIdOf(first)!;
        string session2 = ConversationIdOf(second)!;
        Assert.NotEqual(session1, session2);
        Assert.Equal([session1, session1, session2], runtime.Requests.Select(request => request.SessionId));
        Assert.Equal(["reset my password", "and my username?"], runtime.GetHistory(session1).Select(turn => turn.Prompt));
        Assert.Equal(["hello"], runtime.GetHistory(session2).Select(turn => turn.Prompt));
        Assert.All(runtime.Requests, request => Assert.True(request.SignatureValid));
    }

    [Fact]
    public async Task WithAServiceSession_MafSendsOnlyTheNewMessage_NotItsOwnHistory()
    {
        // The messages payload shows what MAF hands the client: once the session has a ConversationId, the agent's
        // in-memory chat history is bypassed, so turn 2 carries the instructions and the new message only.
        await using LocalAgentRuntime runtime = await StartRuntimeAsync();
        using IChatClient client = runtime.CreateChatClient(configure: o => o.PayloadFormat = AgentCorePayloadFormat.Messages);
        ChatClientAgent agent = client.AsAIAgent(instructions: "You are a support agent.", name: "support");
        AgentSession session = await agent.CreateSessionAsync();

        await agent.RunAsync("reset my password", session);
        AgentResponse second = await agent.RunAsync("and my username?", session);

        Assert.Equal("Turn 2. You asked: and my username?. Before: reset my password.", second.Text);
        Assert.Equal(
            [
                """{"messages":[{"role":"system","content":"You are a support agent."},{"role":"user","content":"reset my password"}]}""",
                """{"messages":[{"role":"system","content":"You are a support agent."},{"role":"user","content":"and my username?"}]}""",
            ],
            runtime.Requests.Select(request => Normalize(request.BodyText)));
    }

    [Fact]
    public async Task ASerializedAgentSession_ResumesTheRuntimeSession_InAnotherAgent()
    {
        await using LocalAgentRuntime runtime = await StartRuntimeAsync();
        using IChatClient client = runtime.CreateChatClient();
        ChatClientAgent agent = client.AsAIAgent(name: "support");
        AgentSession session = await agent.CreateSessionAsync();
        await agent.RunAsync("reset my password", session);

        JsonElement saved = await agent.SerializeSessionAsync(session);
        string runtimeSession = runtime.Requests[0].SessionId!;
        Assert.Equal(runtimeSession, saved.GetProperty("conversationId").GetString());

        ChatClientAgent restarted = client.AsAIAgent(name: "support");
        AgentSession restored = await restarted.DeserializeSessionAsync(saved);
        AgentResponse response = await restarted.RunAsync("and my username?", restored);

        Assert.Equal("Turn 2. You asked: and my username?. Before: reset my password.", response.Text);
        Assert.Equal(runtimeSession, runtime.Requests[1].SessionId);
    }

    [Fact]
    public async Task CreateSessionAsync_WithAConversationId_ContinuesThatRuntimeSession()
    {
        const string known = "maf-known-session-0123456789abcdefghijklmn";
        await using LocalAgentRuntime runtime = await StartRuntimeAsync();
        using IChatClient client = runtime.CreateChatClient();
        ChatClientAgent agent = client.AsAIAgent();

        AgentSession session = await agent.CreateSessionAsync(known);
        AgentResponse response = await agent.RunAsync("hello", session);

        Assert.Equal("Turn 1. You asked: hello.", response.Text);
        Assert.Equal(known, Assert.Single(runtime.Requests).SessionId);
        Assert.Equal(known, ConversationIdOf(session));
    }

    [Fact]
    public async Task RunOptions_ChatOptions_CarryTheQualifierAndUser()
    {
        AgentInvocation? seen = null;
        await using LocalAgentRuntime runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            Agent = invocation =>
            {
                seen = invocation;
                return AgentReply.StrandsEvents(["Done."]);
            },
            VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
        });
        using IChatClient client = runtime.CreateChatClient();
        ChatClientAgent agent = client.AsAIAgent();
        var options = new ChatClientAgentRunOptions(new ChatOptions().WithQualifier("production").WithRuntimeUserId("user-42"));

        AgentResponse response = await agent.RunAsync("hello", await agent.CreateSessionAsync(), options);

        Assert.Equal("Done.", response.Text);
        Assert.NotNull(seen);
        Assert.Equal("production", seen.Qualifier);
        Assert.Equal("user-42", seen.UserId);
        Assert.True(Assert.Single(runtime.Requests).SignatureValid);
    }

    private static string Normalize(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
