// Licensed under the Apache License, Version 2.0.

using AgentCore.Extensions.AI.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCore.Extensions.AI.Tests.Middleware;

/// <summary>
/// <c>UseDistributedCache()</c> on the DI registration, with an in-memory <see cref="IDistributedCache"/>: what is in the
/// key (prompt, runtime ARN, qualifier, session), streaming, and MEAI skipping the cache when ConversationId is set.
/// </summary>
public sealed class CachingMiddlewareTests : IAsyncLifetime
{
    private const string Arn = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/caching-agent";
    private const string SessionA = "cache-session-a-0123456789abcdef0123456789";
    private const string SessionB = "cache-session-b-0123456789abcdef0123456789";

    private readonly CountingDistributedCache _cache = new(MiddlewareTestSupport.NewMemoryCache());
    private LocalAgentRuntime _runtime = null!;
    private int _answers;

    public async Task InitializeAsync() =>
        _runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            RuntimeArn = Arn,
            // Every answer is numbered, so an answer served from the cache is told apart from a new one.
            Agent = i => AgentReply.StrandsEvents(
                [$"answer {Interlocked.Increment(ref _answers)} ", $"to {i.Prompt} ({i.Qualifier ?? "no qualifier"}, turn {i.TurnNumber})"],
                usage: (3, 2)),
            VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
        });

    public async Task DisposeAsync() => await _runtime.DisposeAsync();

    private ServiceProvider Build(Action<AgentCoreChatClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IDistributedCache>(_cache);
        services.AddAgentCoreChatClient(o =>
        {
            o.RuntimeArn = _runtime.RuntimeArn;
            o.Endpoint = _runtime.BaseAddress;
            o.Credentials = LocalAgentRuntime.TestCredentials;
            configure?.Invoke(o);
        }).UseDistributedCache();
        return services.BuildServiceProvider();
    }

    private static async Task<ChatResponse> StreamAsync(IChatClient client, string prompt, ChatOptions? options = null)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(prompt, options))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    [Fact]
    public async Task SamePromptQualifierAndSession_SecondCallIsServedFromTheCache()
    {
        await using ServiceProvider provider = Build();
        IChatClient client = provider.GetRequiredService<IChatClient>();

        ChatResponse first = await client.GetResponseAsync("cache me", new ChatOptions().WithQualifier("DEFAULT").WithRuntimeSessionId(SessionA));
        ChatResponse second = await client.GetResponseAsync("cache me", new ChatOptions().WithQualifier("DEFAULT").WithRuntimeSessionId(SessionA));

        Assert.Equal("answer 1 to cache me (DEFAULT, turn 1)", first.Text);
        Assert.Equal("answer 1 to cache me (DEFAULT, turn 1)", second.Text);
        Assert.Single(_runtime.Requests);
        Assert.Equal(first.ResponseId, second.ResponseId);
        Assert.Equal(SessionA, second.ConversationId);
        Assert.Equal(Arn, second.ModelId);
        Assert.Equal(5, second.Usage!.TotalTokenCount);
        Assert.Single(_cache.Writes);
        Assert.Equal([_cache.Writes.Single()], _cache.Hits);
    }

    [Fact]
    public async Task DifferentQualifier_IsAMiss()
    {
        await using ServiceProvider provider = Build();
        IChatClient client = provider.GetRequiredService<IChatClient>();

        ChatResponse a = await client.GetResponseAsync("same prompt", new ChatOptions().WithQualifier("DEFAULT").WithRuntimeSessionId(SessionA));
        ChatResponse b = await client.GetResponseAsync("same prompt", new ChatOptions().WithQualifier("production").WithRuntimeSessionId(SessionA));

        Assert.Equal("answer 1 to same prompt (DEFAULT, turn 1)", a.Text);
        Assert.Equal("answer 2 to same prompt (production, turn 2)", b.Text);
        Assert.Equal(["?qualifier=DEFAULT", "?qualifier=production"], _runtime.Requests.Select(r => r.RawTarget[r.RawTarget.IndexOf('?', StringComparison.Ordinal)..]));
        Assert.Empty(_cache.Hits);
        Assert.Equal(2, _cache.Writes.Distinct().Count());
    }

    [Fact]
    public async Task DifferentRuntimeSessionId_IsAMiss()
    {
        await using ServiceProvider provider = Build();
        IChatClient client = provider.GetRequiredService<IChatClient>();

        ChatResponse a = await client.GetResponseAsync("same prompt", new ChatOptions().WithQualifier("DEFAULT").WithRuntimeSessionId(SessionA));
        ChatResponse b = await client.GetResponseAsync("same prompt", new ChatOptions().WithQualifier("DEFAULT").WithRuntimeSessionId(SessionB));

        Assert.Equal("answer 1 to same prompt (DEFAULT, turn 1)", a.Text);
        Assert.Equal("answer 2 to same prompt (DEFAULT, turn 1)", b.Text);
        Assert.Equal([SessionA, SessionB], _runtime.Requests.Select(r => r.SessionId));
        Assert.Empty(_cache.Hits);
    }

    [Fact]
    public async Task Streaming_IsCachedToo_UnderAKeyOfItsOwn()
    {
        await using ServiceProvider provider = Build();
        IChatClient client = provider.GetRequiredService<IChatClient>();

        ChatResponse first = await StreamAsync(client, "stream me", new ChatOptions().WithRuntimeSessionId(SessionA));
        ChatResponse replayed = await StreamAsync(client, "stream me", new ChatOptions().WithRuntimeSessionId(SessionA));

        Assert.Equal("answer 1 to stream me (no qualifier, turn 1)", first.Text);
        Assert.Equal("answer 1 to stream me (no qualifier, turn 1)", replayed.Text);
        Assert.Single(_runtime.Requests);
        Assert.Equal(SessionA, replayed.ConversationId);
        Assert.Equal(ChatFinishReason.Stop, replayed.FinishReason);
        Assert.Equal((3L, 2L), (replayed.Usage!.InputTokenCount!.Value, replayed.Usage.OutputTokenCount!.Value));

        // The same request made without streaming is another key: MEAI adds "streaming" to it.
        ChatResponse whole = await client.GetResponseAsync("stream me", new ChatOptions().WithRuntimeSessionId(SessionA));

        Assert.Equal("answer 2 to stream me (no qualifier, turn 2)", whole.Text);
        Assert.Equal(2, _runtime.Requests.Count);
        Assert.Equal(2, _cache.Writes.Distinct().Count());
    }

    [Fact]
    public async Task PayloadKey_IsInTheKey()
    {
        await using ServiceProvider provider = Build();
        IChatClient client = provider.GetRequiredService<IChatClient>();

        ChatResponse x = await client.GetResponseAsync("ignored", new ChatOptions().WithPayload(AgentCorePayload.FromJson("""{"prompt":"payload x"}""")).WithRuntimeSessionId(SessionA));
        ChatResponse y = await client.GetResponseAsync("ignored", new ChatOptions().WithPayload(AgentCorePayload.FromJson("""{"prompt":"payload y"}""")).WithRuntimeSessionId(SessionA));
        ChatResponse xAgain = await client.GetResponseAsync("ignored", new ChatOptions().WithPayload(AgentCorePayload.FromJson("""{"prompt":"payload x"}""")).WithRuntimeSessionId(SessionA));

        Assert.Equal("answer 1 to payload x (no qualifier, turn 1)", x.Text);
        Assert.Equal("answer 2 to payload y (no qualifier, turn 2)", y.Text);
        Assert.Equal(x.Text, xAgain.Text);
        Assert.Equal(2, _runtime.Requests.Count);
    }

    [Fact]
    public async Task ConversationId_SkipsTheCache_NoReadNoWrite_AndTheSessionAdvances()
    {
        await using ServiceProvider provider = Build();
        IChatClient client = provider.GetRequiredService<IChatClient>();

        ChatResponse a = await client.GetResponseAsync("same prompt", new ChatOptions { ConversationId = SessionA });
        ChatResponse b = await client.GetResponseAsync("same prompt", new ChatOptions { ConversationId = SessionA });
        ChatResponse c = await StreamAsync(client, "same prompt", new ChatOptions { ConversationId = SessionA });
        ChatResponse d = await StreamAsync(client, "same prompt", new ChatOptions { ConversationId = SessionA });

        Assert.Equal(
            ["answer 1 to same prompt (no qualifier, turn 1)", "answer 2 to same prompt (no qualifier, turn 2)", "answer 3 to same prompt (no qualifier, turn 3)", "answer 4 to same prompt (no qualifier, turn 4)"],
            new[] { a.Text, b.Text, c.Text, d.Text });
        Assert.Equal(4, _runtime.Requests.Count);
        Assert.Equal(4, _runtime.GetHistory(SessionA).Count);
        Assert.Empty(_cache.Reads);
        Assert.Empty(_cache.Writes);
    }

    [Fact]
    public async Task RuntimeSessionIdKey_IsCached_SoACachedTurnDoesNotReachTheAgentsSession()
    {
        // The session named through AdditionalProperties is in the key but does not switch caching off (only
        // ConversationId does): the second identical turn is answered from the cache and the agent never sees it.
        await using ServiceProvider provider = Build();
        IChatClient client = provider.GetRequiredService<IChatClient>();

        ChatResponse a = await client.GetResponseAsync("same prompt", new ChatOptions().WithRuntimeSessionId(SessionA));
        ChatResponse b = await client.GetResponseAsync("same prompt", new ChatOptions().WithRuntimeSessionId(SessionA));

        Assert.Equal(a.Text, b.Text);
        Assert.Single(_runtime.Requests);
        Assert.Equal([new AgentTurn("same prompt", "answer 1 to same prompt (no qualifier, turn 1)")], _runtime.GetHistory(SessionA));
    }

    [Fact]
    public async Task NoSessionNamed_EachCallGetsItsOwnSession_SoNoCallerIsHandedAnothersSessionFromTheCache()
    {
        await using ServiceProvider provider = Build();
        IChatClient client = provider.GetRequiredService<IChatClient>();

        ChatResponse a = await client.GetResponseAsync("no session");
        ChatResponse b = await client.GetResponseAsync("no session");

        Assert.Equal(2, _runtime.Requests.Count);
        Assert.All(_runtime.Requests, r => Assert.StartsWith("agentcore-session-", r.SessionId));
        Assert.Equal(_runtime.Requests[0].SessionId, a.ConversationId);
        Assert.Equal(_runtime.Requests[1].SessionId, b.ConversationId);
        Assert.NotEqual(a.ConversationId, b.ConversationId);
    }

    [Fact]
    public async Task ConfiguredQualifier_IsInTheKey_TwoEndpointsOfOneRuntimeShareACacheSafely()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IDistributedCache>(_cache);
        foreach (string qualifier in new[] { "DEFAULT", "production" })
        {
            services.AddKeyedAgentCoreChatClient(qualifier, o =>
            {
                o.RuntimeArn = _runtime.RuntimeArn;
                o.Endpoint = _runtime.BaseAddress;
                o.Credentials = LocalAgentRuntime.TestCredentials;
                o.Qualifier = qualifier;
                o.RuntimeSessionId = SessionA;
            }).UseDistributedCache();
        }

        await using ServiceProvider provider = services.BuildServiceProvider();

        ChatResponse viaDefault = await provider.GetRequiredKeyedService<IChatClient>("DEFAULT").GetResponseAsync("same prompt");
        ChatResponse viaProduction = await provider.GetRequiredKeyedService<IChatClient>("production").GetResponseAsync("same prompt");
        ChatResponse viaDefaultAgain = await provider.GetRequiredKeyedService<IChatClient>("DEFAULT").GetResponseAsync("same prompt");

        Assert.Equal("answer 1 to same prompt (DEFAULT, turn 1)", viaDefault.Text);
        Assert.Equal("answer 2 to same prompt (production, turn 2)", viaProduction.Text);
        Assert.Equal(viaDefault.Text, viaDefaultAgain.Text);
        Assert.Equal(2, _runtime.Requests.Count);
    }

    [Fact]
    public async Task ConfiguredRuntimeSessionId_IsInTheKey_TwoRegistrationsOfOneRuntimeNeverShareAnswers()
    {
        // The registration adds the runtime ARN, the configured qualifier and the configured session to the request, so two
        // registrations that differ only in AgentCoreChatClientOptions.RuntimeSessionId each reach their own session.
        var services = new ServiceCollection();
        services.AddSingleton<IDistributedCache>(_cache);
        foreach ((string key, string session) in new[] { ("a", SessionA), ("b", SessionB) })
        {
            services.AddKeyedAgentCoreChatClient(key, o =>
            {
                o.RuntimeArn = _runtime.RuntimeArn;
                o.Endpoint = _runtime.BaseAddress;
                o.Credentials = LocalAgentRuntime.TestCredentials;
                o.RuntimeSessionId = session;
            }).UseDistributedCache();
        }

        await using ServiceProvider provider = services.BuildServiceProvider();

        ChatResponse viaA = await provider.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("same prompt");
        ChatResponse viaB = await provider.GetRequiredKeyedService<IChatClient>("b").GetResponseAsync("same prompt");

        Assert.Equal(SessionA, viaA.ConversationId);
        Assert.Equal(SessionB, viaB.ConversationId);
        Assert.Equal([SessionA, SessionB], _runtime.Requests.Select(r => r.SessionId));
        Assert.Single(_runtime.GetHistory(SessionB));
    }

    [Fact]
    public async Task WithoutTheRegistration_MeaisDefaultKey_TwoRuntimesSharingACacheAnswerEachOther()
    {
        await using var other = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            RuntimeArn = "arn:aws:bedrock-agentcore:eu-central-1:123456789012:runtime/other-agent",
            Agent = i => AgentReply.JsonResult($"the other agent answers {i.Prompt}"),
            VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
        });
        using IChatClient first = new ChatClientBuilder(new AgentCoreChatClient(_runtime.CreateClientOptions())).UseDistributedCache(_cache).Build();
        using IChatClient second = new ChatClientBuilder(new AgentCoreChatClient(other.CreateClientOptions())).UseDistributedCache(_cache).Build();

        ChatResponse fromFirst = await first.GetResponseAsync("same prompt");
        ChatResponse fromSecond = await second.GetResponseAsync("same prompt");

        // MEAI's key is the messages and the options; the client is not in it, so the second runtime is never asked.
        Assert.Equal("answer 1 to same prompt (no qualifier, turn 1)", fromSecond.Text);
        Assert.Equal(fromFirst.Text, fromSecond.Text);
        Assert.Equal(Arn, fromSecond.ModelId);
        Assert.Single(_runtime.Requests);
        Assert.Empty(other.Requests);
    }
}
