// Licensed under the Apache License, Version 2.0.

using System;
using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentCore.Gateway.OpenAi;

/// <summary>Writes OpenAI <c>chat.completion</c> and <c>chat.completion.chunk</c> objects.</summary>
internal static class ChatCompletionWriter
{
    /// <summary>The extra field that carries the runtime session id, so clients can continue the agent's session.</summary>
    public const string SessionField = "agentcore_session_id";

    public static void Completion(IBufferWriter<byte> output, string id, long created, string model, ChatResponse response)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        Header(writer, id, "chat.completion", created, model);
        writer.WriteStartArray("choices"u8);
        writer.WriteStartObject();
        writer.WriteNumber("index"u8, 0);
        writer.WriteStartObject("message"u8);
        writer.WriteString("role"u8, "assistant");
        writer.WriteString("content"u8, response.Text);
        writer.WriteEndObject();
        writer.WriteString("finish_reason"u8, FinishReason(response.FinishReason));
        writer.WriteEndObject();
        writer.WriteEndArray();
        Usage(writer, response.Usage);
        writer.WriteString(SessionField, response.ConversationId);
        writer.WriteEndObject();
    }

    /// <summary>A chunk: a text delta (the first one also names the role), or the final one with the finish reason.</summary>
    public static void Chunk(IBufferWriter<byte> output, string id, long created, string model, string? role, string? content, string? finishReason, string? sessionId)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        Header(writer, id, "chat.completion.chunk", created, model);
        writer.WriteStartArray("choices"u8);
        writer.WriteStartObject();
        writer.WriteNumber("index"u8, 0);
        writer.WriteStartObject("delta"u8);
        if (role is not null)
        {
            writer.WriteString("role"u8, role);
        }

        if (content is not null)
        {
            writer.WriteString("content"u8, content);
        }

        writer.WriteEndObject();
        if (finishReason is null)
        {
            writer.WriteNull("finish_reason"u8);
        }
        else
        {
            writer.WriteString("finish_reason"u8, finishReason);
        }

        writer.WriteEndObject();
        writer.WriteEndArray();
        if (sessionId is not null)
        {
            writer.WriteString(SessionField, sessionId);
        }

        writer.WriteEndObject();
    }

    /// <summary>The usage chunk of <c>stream_options.include_usage</c>: no choices, the usage (null when the agent reported none).</summary>
    public static void UsageChunk(IBufferWriter<byte> output, string id, long created, string model, UsageDetails? usage)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        Header(writer, id, "chat.completion.chunk", created, model);
        writer.WriteStartArray("choices"u8);
        writer.WriteEndArray();
        if (usage is null)
        {
            writer.WriteNull("usage"u8);
        }
        else
        {
            Usage(writer, usage);
        }

        writer.WriteEndObject();
    }

    public static string FinishReason(ChatFinishReason? reason) =>
        reason is null || reason == ChatFinishReason.Stop ? "stop" :
        reason == ChatFinishReason.Length ? "length" :
        reason == ChatFinishReason.ContentFilter ? "content_filter" :
        reason == ChatFinishReason.ToolCalls ? "tool_calls" :
        reason.Value.Value;

    private static void Header(Utf8JsonWriter writer, string id, string kind, long created, string model)
    {
        writer.WriteString("id"u8, id);
        writer.WriteString("object"u8, kind);
        writer.WriteNumber("created"u8, created);
        writer.WriteString("model"u8, model);
    }

    // Usage only when the agent reported it: the gateway never estimates tokens.
    private static void Usage(Utf8JsonWriter writer, UsageDetails? usage)
    {
        if (usage is null)
        {
            return;
        }

        writer.WriteStartObject("usage"u8);
        writer.WriteNumber("prompt_tokens"u8, usage.InputTokenCount ?? 0);
        writer.WriteNumber("completion_tokens"u8, usage.OutputTokenCount ?? 0);
        writer.WriteNumber("total_tokens"u8, usage.TotalTokenCount ?? ((usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0)));
        writer.WriteEndObject();
    }
}
