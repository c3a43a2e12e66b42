// Licensed under the Apache License, Version 2.0.

using System.Collections.Generic;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Decoding;

/// <summary>
/// Reads the JSON shapes agents answer with: Strands/Bedrock messages and content blocks, and the common wrappers
/// (<c>result</c>, <c>response</c>, <c>output</c>, <c>message</c>, <c>content</c>, <c>text</c>, <c>chunk</c>).
/// </summary>
internal static class AgentJson
{
    /// <summary>Reads a whole non-streamed answer. Unknown JSON becomes its own text, so an answer is never empty by accident.</summary>
    public static void ReadAnswer(JsonElement root, object raw, List<AIContent> into)
    {
        if (!TryReadAnswer(root, raw, into))
        {
            into.Add(new TextContent(root.GetRawText()) { RawRepresentation = raw });
        }
    }

    /// <summary>Reads a known answer shape; false when the element is none of them.</summary>
    public static bool TryReadAnswer(JsonElement element, object raw, List<AIContent> into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                into.Add(new TextContent(element.GetString()) { RawRepresentation = raw });
                return true;

            case JsonValueKind.Array:
                return TryReadBlocks(element, raw, into);

            case JsonValueKind.Object:
                if (IsMessage(element))
                {
                    ReadMessage(element, raw, into, skip: null);
                    return true;
                }

                foreach (string key in AnswerKeys)
                {
                    if (element.TryGetProperty(key, out JsonElement inner) && TryReadAnswer(inner, raw, into))
                    {
                        return true;
                    }
                }

                return false;

            default:
                return false;
        }
    }

    /// <summary>A Strands/Bedrock message: <c>{"role": ..., "content": [blocks]}</c>.</summary>
    public static bool IsMessage(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object &&
        element.TryGetProperty("content", out JsonElement content) && content.ValueKind == JsonValueKind.Array &&
        element.TryGetProperty("role", out JsonElement role) && role.ValueKind == JsonValueKind.String;

    /// <summary>Reads a message's content blocks, leaving out what <paramref name="skip"/> says was already streamed.</summary>
    public static void ReadMessage(JsonElement message, object raw, List<AIContent> into, StreamedSoFar? skip)
    {
        bool fromUser = message.TryGetProperty("role", out JsonElement role) && role.ValueEquals("user"u8);
        if (!message.TryGetProperty("content", out JsonElement blocks) || blocks.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (JsonElement block in blocks.EnumerateArray())
        {
            if (block.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (block.TryGetProperty("text", out JsonElement text) && text.ValueKind == JsonValueKind.String)
            {
                // A user message's text is the prompt echoed back, not part of the answer.
                if (!fromUser && skip?.Text != true)
                {
                    into.Add(new TextContent(text.GetString()) { RawRepresentation = raw });
                }
            }
            else if (block.TryGetProperty("toolUse", out JsonElement toolUse))
            {
                string callId = GetString(toolUse, "toolUseId") ?? string.Empty;
                if (skip?.ToolCallIds.Contains(callId) != true)
                {
                    into.Add(ToolCall(callId, GetString(toolUse, "name") ?? string.Empty, toolUse.TryGetProperty("input", out JsonElement input) ? input : default, raw));
                    skip?.ToolCallIds.Add(callId);
                }
            }
            else if (block.TryGetProperty("toolResult", out JsonElement toolResult))
            {
                into.Add(ToolResult(toolResult, raw));
            }
            else if (block.TryGetProperty("reasoningContent", out JsonElement reasoning))
            {
                if (skip?.Reasoning != true && reasoning.TryGetProperty("reasoningText", out JsonElement reasoningText))
                {
                    into.Add(new TextReasoningContent(GetString(reasoningText, "text")) { ProtectedData = GetString(reasoningText, "signature"), RawRepresentation = raw });
                }
            }
            else
            {
                // Images, documents, citations...: kept whole rather than dropped.
                into.Add(new AIContent { RawRepresentation = block.Clone() });
            }
        }
    }

    /// <summary>
    /// A tool the agent ran itself. <see cref="FunctionCallContent.InformationalOnly"/> keeps
    /// <c>FunctionInvokingChatClient</c> from running it a second time on the client.
    /// </summary>
    public static FunctionCallContent ToolCall(string callId, string name, JsonElement input, object raw)
    {
        var arguments = new Dictionary<string, object?>();
        if (input.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in input.EnumerateObject())
            {
                arguments[property.Name] = property.Value.Clone();
            }
        }

        return new FunctionCallContent(callId, name, arguments) { InformationalOnly = true, RawRepresentation = raw };
    }

    public static UsageContent? Usage(JsonElement usage, object raw)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var details = new UsageDetails
        {
            InputTokenCount = GetInt64(usage, "inputTokens"),
            OutputTokenCount = GetInt64(usage, "outputTokens"),
            TotalTokenCount = GetInt64(usage, "totalTokens"),
            CachedInputTokenCount = GetInt64(usage, "cacheReadInputTokens"),
        };

        if (GetInt64(usage, "cacheWriteInputTokens") is long cacheWrite)
        {
            details.AdditionalCounts = new() { ["CacheWriteInputTokens"] = cacheWrite };
        }

        return new UsageContent(details) { RawRepresentation = raw };
    }

    public static string? GetString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static readonly string[] AnswerKeys = ["result", "response", "output", "message", "content", "text", "chunk"];

    private static bool TryReadBlocks(JsonElement array, object raw, List<AIContent> into)
    {
        int before = into.Count;
        foreach (JsonElement block in array.EnumerateArray())
        {
            if (GetString(block, "text") is { } text)
            {
                into.Add(new TextContent(text) { RawRepresentation = raw });
            }
            else if (!TryReadAnswer(block, raw, into))
            {
                into.RemoveRange(before, into.Count - before);
                return false;
            }
        }

        return true;
    }

    private static FunctionResultContent ToolResult(JsonElement toolResult, object raw)
    {
        string callId = GetString(toolResult, "toolUseId") ?? string.Empty;
        object? result = null;
        if (toolResult.TryGetProperty("content", out JsonElement content))
        {
            var texts = new List<AIContent>();
            result = TryReadBlocks(content, raw, texts) && texts.TrueForAll(static c => c is TextContent)
                ? string.Concat(texts.ConvertAll(static c => ((TextContent)c).Text))
                : content.Clone();
        }

        return new FunctionResultContent(callId, result) { RawRepresentation = raw };
    }

    private static long? GetInt64(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number)
            ? number
            : null;
}
