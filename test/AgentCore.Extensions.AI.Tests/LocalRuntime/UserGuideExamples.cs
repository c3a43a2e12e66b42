// Licensed under the Apache License, Version 2.0.

// The examples of docs/testing.md, compiled and run: if this file changes, change the guide with it.

using AgentCore.Extensions.AI;
using AgentCore.Extensions.AI.Testing;
using Microsoft.Extensions.AI;
using Moq;

namespace MyCompany.Support.Tests;

/// <summary>A user's own code: it depends on IChatClient, and keeps talking to the same agent session.</summary>
public sealed class SupportAssistant(IChatClient agent)
{
    private string? _sessionId;

    public async Task<string> AskAsync(string question, CancellationToken cancellationToken = default)
    {
        ChatResponse response = await agent.GetResponseAsync(question, new ChatOptions { ConversationId = _sessionId }, cancellationToken);
        _sessionId = response.ConversationId;
        return response.Text;
    }
}

public sealed class SupportAssistantTests
{
    [Fact]
    public async Task KeepsTheAgentSession_AcrossQuestions()
    {
        // A local AgentCore runtime with a scripted agent; it also checks the SigV4 signature of every request.
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            Agent = invocation => AgentReply.StrandsEvents(
                [$"Answer {invocation.TurnNumber} ", $"to: {invocation.Prompt}"],
                usage: (10, 4)),
            VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
        });
        using IChatClient client = runtime.CreateChatClient();
        var assistant = new SupportAssistant(client);

        Assert.Equal("Answer 1 to: reset my password", await assistant.AskAsync("reset my password"));
        Assert.Equal("Answer 2 to: and my username?", await assistant.AskAsync("and my username?"));

        string session = Assert.Single(runtime.Sessions);
        Assert.Equal(["reset my password", "and my username?"], runtime.GetHistory(session).Select(turn => turn.Prompt));
        Assert.All(runtime.Requests, request => Assert.True(request.SignatureValid));
    }

    [Fact]
    public async Task ReportsAgentFailures()
    {
        // In memory: no socket at all. Every response shape is one factory call away.
        await using var runtime = LocalAgentRuntime.StartInMemory(new LocalAgentRuntimeOptions
        {
            Agent = _ => AgentReply.StreamThenError(["Looking that up"], "knowledge base unavailable"),
        });
        var assistant = new SupportAssistant(runtime.CreateChatClient());

        var error = await Assert.ThrowsAsync<AgentCoreException>(() => assistant.AskAsync("where is my order?"));

        Assert.Equal(AgentCoreErrorKind.AgentError, error.Kind);
        Assert.Equal("Looking that up", error.PartialResponse!.Text);
    }

    [Fact]
    public async Task WithMoq_FakeTheChatClientItself()
    {
        var agent = new Mock<IChatClient>();
        agent.Setup(a => a.GetResponseAsync(It.IsAny<IEnumerable<ChatMessage>>(), It.IsAny<ChatOptions?>(), It.IsAny<CancellationToken>()))
             .ReturnsAsync(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Done.")) { ConversationId = "agentcore-session-from-the-fake-0123456789" });
        var assistant = new SupportAssistant(agent.Object);

        await assistant.AskAsync("first");
        await assistant.AskAsync("second");

        // The second question continues the session the first answer named.
        agent.Verify(a => a.GetResponseAsync(
            It.IsAny<IEnumerable<ChatMessage>>(),
            It.Is<ChatOptions?>(o => o!.ConversationId == "agentcore-session-from-the-fake-0123456789"),
            It.IsAny<CancellationToken>()), Times.Once);
    }
}
