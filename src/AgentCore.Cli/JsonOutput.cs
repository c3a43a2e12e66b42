// Licensed under the Apache License, Version 2.0.

using System;
using System.Linq;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace AgentCore.Cli;

/// <summary>The shapes of --json output: <c>update</c> objects while streaming, a <c>response</c> without streaming, a <c>summary</c> last.</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One line of JSON: compact, with text readable as it is (quotes and non-ASCII unescaped where JSON allows).</summary>
    public static string Line(JsonObject value) => value.ToJsonString(Compact);

    public static JsonObject Update(ChatResponseUpdate update) => new()
    {
        ["type"] = "update",
        ["text"] = update.Text,
        ["conversationId"] = update.ConversationId,
        ["responseId"] = update.ResponseId,
        ["modelId"] = update.ModelId,
        ["finishReason"] = update.FinishReason?.Value,
        ["usage"] = Usage(update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details),
        ["toolCalls"] = ToolCalls(update.Contents),
    };

    public static JsonObject Response(ChatResponse response) => new()
    {
        ["type"] = "response",
        ["text"] = response.Text,
        ["conversationId"] = response.ConversationId,
        ["responseId"] = response.ResponseId,
        ["modelId"] = response.ModelId,
        ["finishReason"] = response.FinishReason?.Value,
        ["usage"] = Usage(response.Usage),
        ["toolCalls"] = ToolCalls(response.Messages.SelectMany(m => m.Contents)),
    };

    public static JsonObject Summary(ChatResponse response, TimeSpan? firstToken, TimeSpan total) => new()
    {
        ["type"] = "summary",
        ["sessionId"] = response.ConversationId,
        ["usage"] = Usage(response.Usage),
        ["timeToFirstTokenMs"] = firstToken is { } t ? Math.Round(t.TotalMilliseconds, 1) : null,
        ["totalMs"] = Math.Round(total.TotalMilliseconds, 1),
    };

    private static JsonObject? Usage(UsageDetails? usage) => usage is null ? null : new JsonObject
    {
        ["inputTokens"] = usage.InputTokenCount,
        ["outputTokens"] = usage.OutputTokenCount,
        ["totalTokens"] = usage.TotalTokenCount,
    };

    private static JsonArray? ToolCalls(System.Collections.Generic.IEnumerable<AIContent> contents)
    {
        JsonNode?[] calls = contents.OfType<FunctionCallContent>()
            .Select(c => (JsonNode?)new JsonObject { ["callId"] = c.CallId, ["name"] = c.Name })
            .ToArray();
        return calls.Length == 0 ? null : new JsonArray(calls);
    }
}
