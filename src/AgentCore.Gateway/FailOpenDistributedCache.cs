// Licensed under the Apache License, Version 2.0.

using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace AgentCore.Gateway;

/// <summary>
/// The response cache as an optimisation only, as LiteLLM treats it: when Redis cannot be reached, a read is a miss and a
/// write is skipped (with a warning), so the agent still answers. Without it every request failed with an empty 500.
/// </summary>
internal sealed partial class FailOpenDistributedCache(IDistributedCache inner, ILogger<FailOpenDistributedCache> logger) : IDistributedCache
{
    public byte[]? Get(string key) => Try(() => inner.Get(key), nameof(Get));

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        try
        {
            return await inner.GetAsync(key, token);
        }
        catch (Exception e) when (IsCacheFailure(e, token))
        {
            LogFailure(logger, nameof(Get), e.GetType().Name, e.Message);
            return null;
        }
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Try(() => { inner.Set(key, value, options); return true; }, nameof(Set));

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        TryAsync(() => inner.SetAsync(key, value, options, token), nameof(Set), token);

    public void Refresh(string key) => Try(() => { inner.Refresh(key); return true; }, nameof(Refresh));

    public Task RefreshAsync(string key, CancellationToken token = default) => TryAsync(() => inner.RefreshAsync(key, token), nameof(Refresh), token);

    public void Remove(string key) => Try(() => { inner.Remove(key); return true; }, nameof(Remove));

    public Task RemoveAsync(string key, CancellationToken token = default) => TryAsync(() => inner.RemoveAsync(key, token), nameof(Remove), token);

    private static bool IsCacheFailure(Exception e, CancellationToken token) => !(e is OperationCanceledException && token.IsCancellationRequested);

    private T? Try<T>(Func<T> operation, string name)
    {
        try
        {
            return operation();
        }
        catch (Exception e) when (IsCacheFailure(e, CancellationToken.None))
        {
            LogFailure(logger, name, e.GetType().Name, e.Message);
            return default;
        }
    }

    private async Task TryAsync(Func<Task> operation, string name, CancellationToken token)
    {
        try
        {
            await operation();
        }
        catch (Exception e) when (IsCacheFailure(e, token))
        {
            LogFailure(logger, name, e.GetType().Name, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response cache {Operation} failed, answering without the cache: {ErrorType}: {Error}")]
    private static partial void LogFailure(ILogger logger, string operation, string errorType, string error);
}
