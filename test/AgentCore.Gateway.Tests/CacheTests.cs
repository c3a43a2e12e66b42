// Licensed under the Apache License, Version 2.0.

using System.Net;
using System.Text.Json;
using AgentCore.Extensions.AI.Testing;
using AgentCore.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AgentCore.Gateway.Tests;

/// <summary>
/// <c>litellm_settings.cache: true</c> puts MEAI's distributed cache in each deployment's pipeline. The tests swap the Redis
/// cache for an in-memory <c>IDistributedCache</c> (no Redis server here); the pipeline is the one Redis gets.
/// </summary>
public sealed class CacheTests
{
    [Fact]
    public async Task IdenticalRequestsInOneSession_AreAnsweredFromTheCache()
    {
        const string session = "cached-session-0123456789abcdef-0123456789";
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(static i => AgentReply.JsonResult($"answer {i.TurnNumber} to {i.Prompt}"));
        string yaml = Configs.Yaml(Configs.DataPlane("my-agent", runtime)) +
            "litellm_settings:\n  cache: true\n  cache_params:\n    type: redis\n    host: 127.0.0.1\n    port: 6379\n";
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(yaml, configure: static builder =>
        {
            builder.Services.RemoveAll<IDistributedCache>();
            builder.Services.AddDistributedMemoryCache();
        });

        string first = await AskAsync(gateway, "what is 2 + 2?", session);
        string again = await AskAsync(gateway, "what is 2 + 2?", session);
        string other = await AskAsync(gateway, "what is 3 + 3?", session);

        Assert.Equal("answer 1 to what is 2 + 2?", first);
        Assert.Equal(first, again);
        Assert.Equal("answer 2 to what is 3 + 3?", other);
        Assert.Equal(2, runtime.Requests.Count);
    }

    [Fact]
    public async Task RedisDown_RequestsAreAnsweredWithoutTheCache_WithAWarning()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);

        // Nothing listens on port 1.
        string yaml = Configs.Yaml(Configs.DataPlane("my-agent", runtime)) +
            "litellm_settings:\n  cache: true\n  cache_params:\n    type: redis\n    host: 127.0.0.1\n    port: 1\n";
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(yaml);

        foreach (bool stream in new[] { false, false, true })
        {
            using HttpResponseMessage response = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi", stream));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            string body = await response.Content.ReadAsStringAsync();
            Assert.Equal(Agents.Text, stream
                ? string.Concat(Sse.Deltas(Sse.ChunksOf(body)))
                : JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        }

        Assert.Equal(3, runtime.Requests.Count);
        IReadOnlyList<FakeLogRecord> logs = gateway.Logs.GetSnapshot();
        Assert.DoesNotContain(logs, static r => r.Level >= LogLevel.Error);
        Assert.Contains(logs, static r => r.Level == LogLevel.Warning && r.Message.StartsWith("Response cache Get failed, answering without the cache: RedisConnectionException", StringComparison.Ordinal));
    }

    private static async Task<string> AskAsync(InProcessGateway gateway, string prompt, string session)
    {
        using HttpResponseMessage response = await gateway.ChatAsync(InProcessGateway.Body("my-agent", prompt, false, ("runtimeSessionId", session)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(session, document.RootElement.GetProperty("agentcore_session_id").GetString());
        return document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }
}
