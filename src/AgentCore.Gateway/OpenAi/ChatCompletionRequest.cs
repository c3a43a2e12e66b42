// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentCore.Gateway.OpenAi;

/// <summary>
/// The parts of an OpenAI chat-completions request the gateway uses. Sampling settings (<c>temperature</c>, <c>top_p</c>,
/// <c>max_tokens</c>, ...) and <c>user</c> are accepted and not sent: an agent runtime runs its own model, and the prompt
/// payload has no place for them.
/// </summary>
internal sealed class ChatCompletionRequest
{
    public required string Model { get; init; }

    public required List<ChatMessage> Messages { get; init; }

    public bool Stream { get; init; }

    public bool IncludeUsage { get; init; }

    public string? Qualifier { get; init; }

    public string? RuntimeSessionId { get; init; }

    /// <summary>Parses a request body.</summary>
    /// <exception cref="FormatException">The body is not a valid request; the message says what is wrong.</exception>
    public static ChatCompletionRequest Parse(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The request body is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("The request body must be a JSON object with model and messages.");
            }

            string model = String(root, "model") ?? throw new FormatException("'model' is required: a model_name from the gateway's config.yaml.");
            if (!root.TryGetProperty("messages", out JsonElement messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            {
                throw new FormatException("'messages' is required: a non-empty array of {role, content}.");
            }

            var list = new List<ChatMessage>();
            int index = 0;
            foreach (JsonElement message in messages.EnumerateArray())
            {
                list.Add(Message(message, index++));
            }

            return new ChatCompletionRequest
            {
                Model = model,
                Messages = list,
                Stream = Bool(root, "stream"),
                IncludeUsage = root.TryGetProperty("stream_options", out JsonElement streamOptions) && Bool(streamOptions, "include_usage"),
                Qualifier = String(root, "qualifier"),
                RuntimeSessionId = String(root, "runtimeSessionId"),
            };
        }
    }

    private static ChatMessage Message(JsonElement message, int index)
    {
        string role = String(message, "role") ?? throw new FormatException($"messages[{index}].role is required.");
        ChatRole chatRole = role switch
        {
            "system" or "developer" => ChatRole.System,
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            "tool" => ChatRole.Tool,
            _ => throw new FormatException($"messages[{index}].role '{role}' is not one of system, developer, user, assistant, tool."),
        };

        if (!message.TryGetProperty("content", out JsonElement content) || content.ValueKind == JsonValueKind.Null)
        {
            return new ChatMessage(chatRole, string.Empty);
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return new ChatMessage(chatRole, content.GetString());
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"messages[{index}].content must be a string or an array of content parts.");
        }

        var parts = new List<AIContent>();
        foreach (JsonElement part in content.EnumerateArray())
        {
            string? type = String(part, "type");
            if (type != "text")
            {
                throw new FormatException($"messages[{index}].content has a '{type}' part: AgentCore runtimes are called with text only.");
            }

            parts.Add(new TextContent(String(part, "text") ?? string.Empty));
        }

        return new ChatMessage(chatRole, parts);
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static bool Bool(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.True;
}
