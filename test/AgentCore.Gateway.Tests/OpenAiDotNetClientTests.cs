// Licensed under the Apache License, Version 2.0.

using System.ClientModel;
using System.ClientModel.Primitives;
using AgentCore.Extensions.AI.Testing;
using AgentCore.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using ChatFinishReason = OpenAI.Chat.ChatFinishReason;
using ChatMessage = OpenAI.Chat.ChatMessage;

namespace AgentCore.Gateway.Tests;

/// <summary>The OpenAI .NET client (the <c>OpenAI</c> package) and MEAI's <c>AsIChatClient()</c> over it, pointed at the gateway.</summary>
public sealed class OpenAiDotNetClientTests
{
    private static ChatClient CreateClient(InProcessGateway gateway, string key = Configs.MasterKey) =>
        new("my-agent", new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = new Uri(gateway.BaseAddress, "v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });

    [Fact]
    public async Task ChatClient_Plain_ReturnsTheAgentsTextAndUsage()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        ClientResult<ChatCompletion> result = await CreateClient(gateway).CompleteChatAsync([new UserChatMessage("What is AgentCore?")]);

        ChatCompletion completion = result.Value;
        Assert.Equal(Agents.Text, Assert.Single(completion.Content).Text);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal("my-agent", completion.Model);
        Assert.Equal(5, completion.Usage.InputTokenCount);
        Assert.Equal(7, completion.Usage.OutputTokenCount);
        Assert.Equal(12, completion.Usage.TotalTokenCount);
        Assert.Equal(Assert.Single(runtime.Requests).SessionId, result.GetRawResponse().Headers.TryGetValue("x-agentcore-session-id", out string? session) ? session : null);
    }

    [Fact]
    public async Task ChatClient_Streamed_DeltasAreTheAgentsChunks_WithOneFinishReasonAndUsage()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        var deltas = new List<string>();
        var finishReasons = new List<ChatFinishReason>();
        ChatTokenUsage? usage = null;
        await foreach (StreamingChatCompletionUpdate update in CreateClient(gateway).CompleteChatStreamingAsync([new UserChatMessage("Stream it")]))
        {
            deltas.AddRange(update.ContentUpdate.Select(static part => part.Text).Where(static text => text.Length > 0));
            if (update.FinishReason is { } reason)
            {
                finishReasons.Add(reason);
            }

            usage = update.Usage ?? usage;
        }

        Assert.Equal(Agents.Chunks, deltas);
        Assert.Equal([ChatFinishReason.Stop], finishReasons);
        Assert.NotNull(usage);
        Assert.Equal(5, usage.InputTokenCount);
        Assert.Equal(7, usage.OutputTokenCount);
    }

    [Fact]
    public async Task AsIChatClient_PlainAndStreamed_GiveTheAgentsText()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));
        using IChatClient client = CreateClient(gateway).AsIChatClient();

        ChatResponse response = await client.GetResponseAsync("What is AgentCore?");
        Assert.Equal(Agents.Text, response.Text);
        Assert.Equal(Microsoft.Extensions.AI.ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(5, response.Usage?.InputTokenCount);
        Assert.Equal(7, response.Usage?.OutputTokenCount);

        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("Stream it"))
        {
            updates.Add(update);
        }

        Assert.Equal(Agents.Chunks, updates.Select(static u => u.Text).Where(static t => t.Length > 0));
        ChatResponse streamed = updates.ToChatResponse();
        Assert.Equal(Agents.Text, streamed.Text);
        Assert.Equal(Microsoft.Extensions.AI.ChatFinishReason.Stop, streamed.FinishReason);
        Assert.Equal(7, streamed.Usage?.OutputTokenCount);
        Assert.Equal(2, runtime.Requests.Count);
    }

    [Fact]
    public async Task BadKey_IsAClientResultException401()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        ClientResultException error = await Assert.ThrowsAsync<ClientResultException>(
            () => CreateClient(gateway, "sk-wrong").CompleteChatAsync([(ChatMessage)new UserChatMessage("hi")]));

        Assert.Equal(401, error.Status);
        Assert.Empty(runtime.Requests);
    }
}
