// Licensed under the Apache License, Version 2.0.

using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Requests;

/// <summary>Turns chat messages into the runtime payload.</summary>
/// <remarks>
/// Precedence, first wins: the per-request <see cref="AgentCoreAdditionalPropertiesKeys.Payload"/>, what
/// <see cref="ChatOptions.RawRepresentationFactory"/> returns, <see cref="AgentCoreChatClientOptions.PayloadFactory"/>,
/// then <see cref="AgentCoreChatClientOptions.PayloadFormat"/>.
/// </remarks>
internal static class PayloadBuilder
{
    public static AgentCorePayload Build(IReadOnlyList<ChatMessage> messages, ChatOptions? chatOptions, object? rawRepresentation, AgentCoreChatClientOptions clientOptions)
    {
        if (ChatOptionsReader.GetRaw(chatOptions, AgentCoreAdditionalPropertiesKeys.Payload) is { } perRequest)
        {
            return FromValue(perRequest, $"ChatOptions.AdditionalProperties[\"{AgentCoreAdditionalPropertiesKeys.Payload}\"]");
        }

        if (rawRepresentation is not null)
        {
            return FromValue(rawRepresentation, "ChatOptions.RawRepresentationFactory");
        }

        if (clientOptions.PayloadFactory is { } factory)
        {
            return factory(messages, chatOptions)
                ?? throw new InvalidOperationException("AgentCoreChatClientOptions.PayloadFactory returned null: return an AgentCorePayload.");
        }

        return clientOptions.PayloadFormat switch
        {
            AgentCorePayloadFormat.Prompt => Prompt(messages),
            AgentCorePayloadFormat.Messages => Messages(messages, chatOptions?.Instructions),
            _ => throw new ArgumentOutOfRangeException(nameof(clientOptions), clientOptions.PayloadFormat, "AgentCoreChatClientOptions.PayloadFormat must be Prompt or Messages."),
        };
    }

    /// <summary><c>{"prompt": "..."}</c> with the text of the last user message, as LiteLLM sends.</summary>
    public static AgentCorePayload Prompt(IReadOnlyList<ChatMessage> messages)
    {
        ChatMessage? last = null;
        for (int i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Role == ChatRole.User)
            {
                last = messages[i];
                break;
            }
        }

        if (last is null)
        {
            throw new ArgumentException("The messages hold no user message: the prompt payload sends the last user message's text. Add one, or use AgentCorePayloadFormat.Messages.", nameof(messages));
        }

        foreach (AIContent content in last.Contents)
        {
            if (content is not TextContent)
            {
                throw new NotSupportedException(
                    $"The prompt payload carries text only, but the last user message holds {content.GetType().Name}. " +
                    "Send text, or give the agent its own payload through AgentCoreChatClientOptions.PayloadFactory or ChatOptions.AdditionalProperties[\"payload\"].");
            }
        }

        return Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("prompt"u8, last.Text);
            writer.WriteEndObject();
        });
    }

    /// <summary><c>{"messages": [{"role": ..., "content": ...}]}</c> with the whole conversation.</summary>
    public static AgentCorePayload Messages(IReadOnlyList<ChatMessage> messages, string? instructions)
    {
        if (messages.Count == 0)
        {
            throw new ArgumentException("The messages are empty: give at least one message.", nameof(messages));
        }

        return Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("messages"u8);
            if (!string.IsNullOrEmpty(instructions))
            {
                WriteMessage(writer, "system", instructions);
            }

            foreach (ChatMessage message in messages)
            {
                foreach (AIContent content in message.Contents)
                {
                    // Reasoning, usage and tool use the agent already ran are what this client decoded from earlier answers:
                    // the agent holds them itself, so they are not conversation text to send back.
                    if (content is not (TextContent or TextReasoningContent or UsageContent or FunctionCallContent { InformationalOnly: true } or FunctionResultContent))
                    {
                        throw new NotSupportedException(
                            $"The messages payload carries text only, but a {message.Role} message holds {content.GetType().Name}. " +
                            "Give the agent its own payload through AgentCoreChatClientOptions.PayloadFactory or ChatOptions.AdditionalProperties[\"payload\"].");
                    }
                }

                WriteMessage(writer, message.Role.Value, message.Text);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private static void WriteMessage(Utf8JsonWriter writer, string role, string content)
    {
        writer.WriteStartObject();
        writer.WriteString("role"u8, role);
        writer.WriteString("content"u8, content);
        writer.WriteEndObject();
    }

    private static AgentCorePayload FromValue(object value, string source) => value switch
    {
        AgentCorePayload payload => payload,
        JsonNode node => AgentCorePayload.FromJson(node),
        JsonElement { ValueKind: JsonValueKind.String } element => FromJsonText(element.GetString()!, source),
        JsonElement element => AgentCorePayload.FromJson(element),
        byte[] bytes => FromJsonBytes(bytes, source),
        ReadOnlyMemory<byte> memory => FromJsonBytes(memory.ToArray(), source),
        string text => FromJsonText(text, source),
        _ => throw new ArgumentException(
            $"{source} is a {value.GetType().Name}; it must be an AgentCorePayload, a JsonNode, a JsonElement, a byte[] of JSON, or a string of JSON text.",
            nameof(value)),
    };

    private static AgentCorePayload FromJsonText(string text, string source)
    {
        try
        {
            return AgentCorePayload.FromJson(text);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{source} must hold JSON text: {e.Message}", nameof(text), e);
        }
    }

    private static AgentCorePayload FromJsonBytes(byte[] bytes, string source)
    {
        try
        {
            AgentCorePayload.EnsureWellFormedJson(bytes, nameof(bytes));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{source} must hold UTF-8 JSON, or be an AgentCorePayload made with FromBytes and its content type: {e.Message}", nameof(bytes), e);
        }

        return AgentCorePayload.FromBytes(bytes, AgentCorePayload.JsonContentType);
    }

    private static AgentCorePayload Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return AgentCorePayload.FromBytes(buffer.WrittenMemory, AgentCorePayload.JsonContentType);
    }
}
