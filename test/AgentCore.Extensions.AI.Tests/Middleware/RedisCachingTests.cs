// Licensed under the Apache License, Version 2.0.

using AgentCore.Extensions.AI.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AgentCore.Extensions.AI.Tests.Middleware;

/// <summary>
/// <c>UseDistributedCache()</c> against a real Redis (<c>redis-server</c>, started by <c>test/run-all.sh</c>, named by
/// <c>AGENTCORE_TEST_REDIS</c>), through <c>AddStackExchangeRedisCache</c>.
/// </summary>
public sealed class RedisCachingTests : IAsyncLifetime
{
    /// <summary>The environment variable naming the Redis the tests use (<c>host:port</c>).</summary>
    public const string RedisVariable = "AGENTCORE_TEST_REDIS";

    private const string InstanceName = "agentcore-tests:";
    private const string SessionA = "redis-session-a-0123456789abcdef0123456789";
    private const string SessionB = "redis-session-b-0123456789abcdef0123456789";

    private string _redis = null!;
    private ConnectionMultiplexer _admin = null!;
    private LocalAgentRuntime _support = null!;
    private LocalAgentRuntime _billing = null!;
    private int _answers;

    public async Task InitializeAsync()
    {
        _redis = Environment.GetEnvironmentVariable(RedisVariable) is { Length: > 0 } configured
            ? configured
            : throw new InvalidOperationException(
                $"{RedisVariable} is not set, so the distributed-cache tests have no Redis. Run the tests with `bash test/run-all.sh`: " +
                $"it installs redis-server when missing, starts it on 127.0.0.1 and sets {RedisVariable}. To run them with plain " +
                "`dotnet test`, start one yourself (redis-server --port 6390 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes) " +
                $"and export {RedisVariable}=127.0.0.1:6390.");
        try
        {
            _admin = await ConnectionMultiplexer.ConnectAsync($"{_redis},allowAdmin=true,connectTimeout=5000");
        }
        catch (RedisConnectionException e)
        {
            throw new InvalidOperationException($"The Redis named by {RedisVariable}={_redis} does not answer ({e.Message}). Run the tests with `bash test/run-all.sh`, which starts one.", e);
        }

        // A clean slate per test: the tests of this class run one after another and count the keys they leave. Only this
        // suite's keys are removed, never the rest of the database.
        RedisKey[] stale = await KeysAsync();
        if (stale.Length > 0)
        {
            await _admin.GetDatabase().KeyDeleteAsync(stale);
        }

        _support = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            RuntimeArn = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/support",
            Agent = i => AgentReply.JsonResult($"support answer {Interlocked.Increment(ref _answers)} to {i.Prompt} ({i.Qualifier ?? "no qualifier"})"),
            VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
        });
        _billing = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            RuntimeArn = "arn:aws:bedrock-agentcore:eu-central-1:123456789012:runtime/billing",
            Agent = i => AgentReply.JsonResult($"billing answer {Interlocked.Increment(ref _answers)} to {i.Prompt} ({i.Qualifier ?? "no qualifier"})"),
            VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
        });
    }

    public async Task DisposeAsync()
    {
        if (_support is not null)
        {
            await _support.DisposeAsync();
        }

        if (_billing is not null)
        {
            await _billing.DisposeAsync();
        }

        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }
    }

    private void AddRedis(IServiceCollection services) =>
        services.AddStackExchangeRedisCache(o =>
        {
            o.Configuration = _redis;
            o.InstanceName = InstanceName;
        });

    private static Action<AgentCoreChatClientOptions> CallRuntime(LocalAgentRuntime runtime) => o =>
    {
        o.RuntimeArn = runtime.RuntimeArn;
        o.Endpoint = runtime.BaseAddress;
        o.Credentials = LocalAgentRuntime.TestCredentials;
    };

    private ServiceProvider BuildSupport()
    {
        var services = new ServiceCollection();
        AddRedis(services);
        services.AddAgentCoreChatClient(CallRuntime(_support)).UseDistributedCache();
        return services.BuildServiceProvider();
    }

    private async Task<int> KeyCountAsync() => (await KeysAsync()).Length;

    private async Task<RedisKey[]> KeysAsync()
    {
        var keys = new List<RedisKey>();
        await foreach (RedisKey key in _admin.GetServer(_admin.GetEndPoints()[0]).KeysAsync(pattern: InstanceName + "*"))
        {
            keys.Add(key);
        }

        return [.. keys];
    }

    [Fact]
    public async Task SamePromptQualifierAndSession_IsServedFromRedis_AlsoToAnotherContainer()
    {
        ChatResponse first;
        await using (ServiceProvider provider = BuildSupport())
        {
            first = await provider.GetRequiredService<IChatClient>().GetResponseAsync("shared prompt", new ChatOptions().WithQualifier("DEFAULT").WithRuntimeSessionId(SessionA));
        }

        // A second DI container (another process, as far as the cache is concerned) finds the answer in Redis.
        ChatResponse second;
        await using (ServiceProvider provider = BuildSupport())
        {
            second = await provider.GetRequiredService<IChatClient>().GetResponseAsync("shared prompt", new ChatOptions().WithQualifier("DEFAULT").WithRuntimeSessionId(SessionA));
        }

        Assert.Equal("support answer 1 to shared prompt (DEFAULT)", first.Text);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.ResponseId, second.ResponseId);
        Assert.Single(_support.Requests);
        RedisKey key = Assert.Single(await KeysAsync());
        Assert.StartsWith(InstanceName, key.ToString());
        Assert.Equal(1, await KeyCountAsync());
    }

    [Fact]
    public async Task DifferentQualifierOrSession_MissesRedis()
    {
        await using ServiceProvider provider = BuildSupport();
        IChatClient client = provider.GetRequiredService<IChatClient>();

        ChatResponse a = await client.GetResponseAsync("same prompt", new ChatOptions().WithQualifier("DEFAULT").WithRuntimeSessionId(SessionA));
        ChatResponse b = await client.GetResponseAsync("same prompt", new ChatOptions().WithQualifier("production").WithRuntimeSessionId(SessionA));
        ChatResponse c = await client.GetResponseAsync("same prompt", new ChatOptions().WithQualifier("DEFAULT").WithRuntimeSessionId(SessionB));
        ChatResponse aAgain = await client.GetResponseAsync("same prompt", new ChatOptions().WithQualifier("DEFAULT").WithRuntimeSessionId(SessionA));

        Assert.Equal(
            ["support answer 1 to same prompt (DEFAULT)", "support answer 2 to same prompt (production)", "support answer 3 to same prompt (DEFAULT)", "support answer 1 to same prompt (DEFAULT)"],
            new[] { a.Text, b.Text, c.Text, aAgain.Text });
        Assert.Equal([SessionA, SessionA, SessionB], _support.Requests.Select(r => r.SessionId));
        Assert.Equal(3, await KeyCountAsync());
    }

    [Fact]
    public async Task TwoKeyedRuntimesOnOneRedis_NeverAnswerEachOthersPrompts()
    {
        var services = new ServiceCollection();
        AddRedis(services);
        services.AddKeyedAgentCoreChatClient("a", CallRuntime(_support)).UseDistributedCache();
        services.AddKeyedAgentCoreChatClient("b", CallRuntime(_billing)).UseDistributedCache();
        await using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient a = provider.GetRequiredKeyedService<IChatClient>("a");
        IChatClient b = provider.GetRequiredKeyedService<IChatClient>("b");

        // The same prompt in the same session name: only the runtime differs.
        ChatOptions Session() => new ChatOptions().WithRuntimeSessionId(SessionA);
        ChatResponse fromA = await a.GetResponseAsync("identical prompt", Session());
        ChatResponse fromB = await b.GetResponseAsync("identical prompt", Session());
        ChatResponse fromAAgain = await a.GetResponseAsync("identical prompt", Session());
        ChatResponse fromBAgain = await b.GetResponseAsync("identical prompt", Session());

        Assert.Equal("support answer 1 to identical prompt (no qualifier)", fromA.Text);
        Assert.Equal("billing answer 2 to identical prompt (no qualifier)", fromB.Text);
        Assert.Equal(fromA.Text, fromAAgain.Text);
        Assert.Equal(fromB.Text, fromBAgain.Text);
        Assert.Equal(_support.RuntimeArn, fromAAgain.ModelId);
        Assert.Equal(_billing.RuntimeArn, fromBAgain.ModelId);
        Assert.Single(_support.Requests);
        Assert.Single(_billing.Requests);
        Assert.Equal(2, await KeyCountAsync());
    }

    [Fact]
    public async Task WithoutTheRegistration_TwoRuntimesSharingRedis_AnswerEachOthersPrompts()
    {
        // MEAI's default key is the messages and the options, not the client: this is what the registration's
        // RuntimeIdentityChatClient (ModelId = the runtime ARN) fixes.
        using var redis = new RedisCache(Options.Create(new RedisCacheOptions { Configuration = _redis, InstanceName = InstanceName }));
        using IChatClient a = new ChatClientBuilder(new AgentCoreChatClient(_support.CreateClientOptions())).UseDistributedCache(redis).Build();
        using IChatClient b = new ChatClientBuilder(new AgentCoreChatClient(_billing.CreateClientOptions())).UseDistributedCache(redis).Build();

        ChatResponse fromA = await a.GetResponseAsync("identical prompt");
        ChatResponse fromB = await b.GetResponseAsync("identical prompt");

        Assert.Equal("support answer 1 to identical prompt (no qualifier)", fromA.Text);
        Assert.Equal("support answer 1 to identical prompt (no qualifier)", fromB.Text);
        Assert.Equal(_support.RuntimeArn, fromB.ModelId);
        Assert.Single(_support.Requests);
        Assert.Empty(_billing.Requests);
        Assert.Equal(1, await KeyCountAsync());
    }

    [Fact]
    public async Task ConversationId_SkipsRedis()
    {
        await using ServiceProvider provider = BuildSupport();
        IChatClient client = provider.GetRequiredService<IChatClient>();

        ChatResponse a = await client.GetResponseAsync("same prompt", new ChatOptions { ConversationId = SessionA });
        ChatResponse b = await client.GetResponseAsync("same prompt", new ChatOptions { ConversationId = SessionA });

        Assert.Equal(["support answer 1 to same prompt (no qualifier)", "support answer 2 to same prompt (no qualifier)"], new[] { a.Text, b.Text });
        Assert.Equal(2, _support.Requests.Count);
        Assert.Equal(0, await KeyCountAsync());
    }
}
