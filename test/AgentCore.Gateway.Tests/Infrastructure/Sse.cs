// Licensed under the Apache License, Version 2.0.

using System.Text.Json;

namespace AgentCore.Gateway.Tests.Infrastructure;

/// <summary>Reads the gateway's <c>text/event-stream</c> answers.</summary>
internal static class Sse
{
    /// <summary>Splits a whole SSE body into its events' data (each event here is exactly one <c>data:</c> line).</summary>
    public static IReadOnlyList<string> DataOf(string body)
    {
        var data = new List<string>();
        foreach (string frame in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string[] lines = frame.Split('\n');
            Assert.Single(lines);
            Assert.StartsWith("data: ", lines[0], StringComparison.Ordinal);
            data.Add(lines[0]["data: ".Length..]);
        }

        return data;
    }

    /// <summary>Parses every event but the trailing <c>[DONE]</c> (which must be there) as JSON.</summary>
    public static IReadOnlyList<JsonElement> ChunksOf(string body)
    {
        IReadOnlyList<string> data = DataOf(body);
        Assert.Equal("[DONE]", data[^1]);
        Assert.Equal(1, data.Count(static d => d == "[DONE]"));
        return [.. data.Take(data.Count - 1).Select(static d => JsonDocument.Parse(d).RootElement.Clone())];
    }

    /// <summary>The text of the chunks' deltas, one entry per chunk that has content.</summary>
    public static IReadOnlyList<string> Deltas(IEnumerable<JsonElement> chunks) =>
        [.. chunks
            .Where(static c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(static c => c.GetProperty("choices")[0].GetProperty("delta"))
            .Where(static d => d.TryGetProperty("content", out JsonElement content) && content.GetString()!.Length > 0)
            .Select(static d => d.GetProperty("content").GetString()!)];

    /// <summary>The finish reasons that are not null, in order.</summary>
    public static IReadOnlyList<string> FinishReasons(IEnumerable<JsonElement> chunks) =>
        [.. chunks
            .Where(static c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(static c => c.GetProperty("choices")[0].GetProperty("finish_reason"))
            .Where(static f => f.ValueKind == JsonValueKind.String)
            .Select(static f => f.GetString()!)];
}
