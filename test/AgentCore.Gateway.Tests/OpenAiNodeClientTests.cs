// Licensed under the Apache License, Version 2.0.

using System.Text.Json;
using AgentCore.Extensions.AI.Testing;
using AgentCore.Gateway.Tests.Infrastructure;

namespace AgentCore.Gateway.Tests;

/// <summary>The official <c>openai</c> npm client (test/peers, pinned in package-lock.json) against the running gateway.</summary>
public sealed class OpenAiNodeClientTests
{
    [Fact]
    public async Task Plain_ReturnsTheAgentsTextExactly_WithUsageAndSession()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        JsonElement result = await NodePeers.OpenAiChatAsync(gateway.BaseAddress, Configs.MasterKey, "my-agent", "What is AgentCore?", stream: false);

        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal("chat.completion", result.GetProperty("object").GetString());
        Assert.Equal("my-agent", result.GetProperty("model").GetString());
        Assert.Equal("assistant", result.GetProperty("role").GetString());
        Assert.Equal(Agents.Text, result.GetProperty("text").GetString());
        Assert.Equal("stop", result.GetProperty("finishReason").GetString());
        JsonElement usage = result.GetProperty("usage");
        Assert.Equal(5, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(7, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(12, usage.GetProperty("total_tokens").GetInt32());

        RecordedAgentRequest upstream = Assert.Single(runtime.Requests);
        Assert.True(upstream.SignatureValid);
        Assert.Equal(upstream.SessionId, result.GetProperty("sessionId").GetString());
        Assert.Equal(upstream.SessionId, result.GetProperty("sessionHeader").GetString());
        Assert.Equal("What is AgentCore?", Assert.Single(runtime.GetHistory(upstream.SessionId!)).Prompt);
    }

    [Fact]
    public async Task Streamed_DeltasAreTheAgentsChunks_OneFinishReason_Usage_AndTheStreamEnds()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        JsonElement result = await NodePeers.OpenAiChatAsync(gateway.BaseAddress, Configs.MasterKey, "my-agent", "Stream it", stream: true);

        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.StartsWith("text/event-stream", result.GetProperty("contentType").GetString(), StringComparison.Ordinal);
        Assert.Equal(Agents.Text, result.GetProperty("text").GetString());
        Assert.Equal(Agents.Chunks, result.GetProperty("deltas").EnumerateArray().Select(static d => d.GetString()));
        Assert.Equal("assistant", result.GetProperty("role").GetString());
        Assert.Equal(["stop"], result.GetProperty("finishReasons").EnumerateArray().Select(static f => f.GetString()));
        Assert.Equal(["chat.completion.chunk"], result.GetProperty("chunkObjects").EnumerateArray().Select(static o => o.GetString()));

        // role chunk + 4 deltas + finish chunk + usage chunk (stream_options.include_usage); the client stopped at [DONE].
        Assert.Equal(Agents.Chunks.Length + 3, result.GetProperty("chunkCount").GetInt32());
        JsonElement usage = result.GetProperty("usage");
        Assert.Equal(5, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(7, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(12, usage.GetProperty("total_tokens").GetInt32());

        string session = Assert.Single(runtime.Requests).SessionId!;
        Assert.Equal(session, result.GetProperty("sessionId").GetString());
        Assert.Equal(session, result.GetProperty("sessionHeader").GetString());
    }

    [Fact]
    public async Task BadKey_IsTheClientsAuthenticationError_AndNothingReachesTheAgent()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        foreach (bool stream in new[] { false, true })
        {
            JsonElement result = await NodePeers.OpenAiChatAsync(gateway.BaseAddress, "sk-wrong-key", "my-agent", "hi", stream);

            Assert.False(result.GetProperty("ok").GetBoolean());
            Assert.Equal("AuthenticationError", result.GetProperty("errorClass").GetString());
            Assert.True(result.GetProperty("isAuthenticationError").GetBoolean());
            Assert.Equal(401, result.GetProperty("status").GetInt32());
            Assert.Equal("authentication_error", result.GetProperty("type").GetString());
            Assert.Equal("invalid_api_key", result.GetProperty("code").GetString());
        }

        Assert.Empty(runtime.Requests);
    }

    [Fact]
    public async Task MidStreamAgentError_ReachesTheClientAsAnApiError_AfterTheTextBeforeIt()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(_ => AgentReply.StreamThenError(["Looking ", "that up"], "knowledge base unavailable", "ValueError"));
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        JsonElement result = await NodePeers.OpenAiChatAsync(gateway.BaseAddress, Configs.MasterKey, "my-agent", "hi", stream: true);

        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Equal("APIError", result.GetProperty("errorClass").GetString());
        Assert.Equal("agent_error", result.GetProperty("type").GetString());
        Assert.Contains("knowledge base unavailable", result.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(["Looking ", "that up"], result.GetProperty("deltas").EnumerateArray().Select(static d => d.GetString()));
    }

    [Fact]
    public async Task Throttled_IsTheClientsRateLimitError()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(_ => AgentReply.ServiceError(429, "ThrottlingException", "Rate exceeded"));
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        JsonElement result = await NodePeers.OpenAiChatAsync(gateway.BaseAddress, Configs.MasterKey, "my-agent", "hi", stream: true);

        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.True(result.GetProperty("isRateLimitError").GetBoolean(), result.ToString());
        Assert.Equal(429, result.GetProperty("status").GetInt32());
        Assert.Empty(result.GetProperty("deltas").EnumerateArray());
    }
}
