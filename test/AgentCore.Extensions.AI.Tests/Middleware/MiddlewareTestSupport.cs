// Licensed under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace AgentCore.Extensions.AI.Tests.Middleware;

/// <summary>Helpers shared by the middleware tests.</summary>
internal static class MiddlewareTestSupport
{
    public static MemoryDistributedCache NewMemoryCache() => new(Options.Create(new MemoryDistributedCacheOptions()));

    /// <summary>
    /// The line a text logger writes: category, level, formatted message, the exception (with stack and inner exceptions)
    /// and the scopes (formatted, and their values).
    /// </summary>
    public static string LineText(FakeLogRecord record)
    {
        var text = new StringBuilder()
            .Append(record.Category).Append(" [").Append(record.Level).Append("] ")
            .Append(record.Message);
        if (record.Exception is not null)
        {
            text.Append(" | exception: ").Append(record.Exception);
        }

        foreach (object? scope in record.Scopes)
        {
            text.Append(" | scope: ").Append(scope);
            if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (KeyValuePair<string, object?> pair in pairs)
                {
                    text.Append(' ').Append(pair.Key).Append('=').Append(pair.Value);
                }
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// The structured state of a log record, as structured providers (OpenTelemetry's log exporter, Serilog) ship it: every
    /// key and value, with collections expanded.
    /// </summary>
    public static string StateText(FakeLogRecord record)
    {
        var text = new StringBuilder().Append(record.Category).Append(" [").Append(record.Level).Append("] state:");
        foreach (KeyValuePair<string, string?> pair in record.StructuredState ?? [])
        {
            text.Append(" | ").Append(pair.Key).Append('=').Append(pair.Value);
        }

        return text.ToString();
    }

    /// <summary>The <c>Signature=</c> value of a SigV4 Authorization header.</summary>
    public static string SignatureOf(string authorization)
    {
        const string Marker = "Signature=";
        int start = authorization.IndexOf(Marker, StringComparison.Ordinal);
        Assert.True(start >= 0, $"not a SigV4 Authorization header: {authorization}");
        string signature = authorization[(start + Marker.Length)..].Split(',')[0].Trim();
        Assert.Matches("^[0-9a-f]{64}$", signature);
        return signature;
    }
}

/// <summary>An <see cref="IDistributedCache"/> that records every read and write it passes on.</summary>
internal sealed class CountingDistributedCache(IDistributedCache inner) : IDistributedCache
{
    public ConcurrentQueue<string> Reads { get; } = new();

    public ConcurrentQueue<string> Hits { get; } = new();

    public ConcurrentQueue<string> Writes { get; } = new();

    public byte[]? Get(string key) => Record(key, inner.Get(key));

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Record(key, await inner.GetAsync(key, token));

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        Writes.Enqueue(key);
        inner.Set(key, value, options);
    }

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        Writes.Enqueue(key);
        return inner.SetAsync(key, value, options, token);
    }

    public void Refresh(string key) => inner.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);

    public void Remove(string key) => inner.Remove(key);

    public Task RemoveAsync(string key, CancellationToken token = default) => inner.RemoveAsync(key, token);

    private byte[]? Record(string key, byte[]? value)
    {
        Reads.Enqueue(key);
        if (value is not null)
        {
            Hits.Enqueue(key);
        }

        return value;
    }
}
