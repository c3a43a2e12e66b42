// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Requests;

/// <summary>Reads AgentCore settings from <see cref="ChatOptions.AdditionalProperties"/>, which may hold strings or JSON elements.</summary>
internal static class ChatOptionsReader
{
    /// <summary>Reads a string setting; a JSON null or absent key is null, an empty string is an error.</summary>
    /// <param name="options">The chat options, or null.</param>
    /// <param name="key">The key.</param>
    /// <returns>The value, or null when absent.</returns>
    /// <exception cref="ArgumentException">The value is not a string.</exception>
    public static string? GetString(ChatOptions? options, string key)
    {
        if (options?.AdditionalProperties is not { } properties || !properties.TryGetValue(key, out object? value))
        {
            return null;
        }

        string? text = value switch
        {
            null => null,
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
            JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
            _ => throw new ArgumentException(
                $"ChatOptions.AdditionalProperties[\"{key}\"] must be a string (or a JsonElement holding one), but is {Describe(value)}.",
                nameof(options)),
        };

        if (text is not null && string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{key}\"] is empty: give a value or remove the key.", nameof(options));
        }

        return text;
    }

    /// <summary>The per-request settings that travel as headers: the dictionary key and the header it becomes.</summary>
    public static readonly (string Key, string Header)[] HeaderSettings =
    [
        (AgentCoreAdditionalPropertiesKeys.RuntimeUserId, Transport.AgentCoreHeaders.UserId),
        (AgentCoreAdditionalPropertiesKeys.McpSessionId, Transport.AgentCoreHeaders.McpSessionId),
        (AgentCoreAdditionalPropertiesKeys.McpProtocolVersion, Transport.AgentCoreHeaders.McpProtocolVersion),
        (AgentCoreAdditionalPropertiesKeys.McpMethod, Transport.AgentCoreHeaders.McpMethod),
        (AgentCoreAdditionalPropertiesKeys.McpName, Transport.AgentCoreHeaders.McpName),
    ];

    /// <summary>Reads the header settings that are present.</summary>
    /// <param name="options">The chat options, or null.</param>
    /// <returns>Header name and value pairs, in a fixed order.</returns>
    public static IReadOnlyList<KeyValuePair<string, string>> GetHeaders(ChatOptions? options)
    {
        List<KeyValuePair<string, string>>? headers = null;
        foreach ((string key, string header) in HeaderSettings)
        {
            if (GetString(options, key) is { } value)
            {
                (headers ??= []).Add(new(header, value));
            }
        }

        return headers ?? (IReadOnlyList<KeyValuePair<string, string>>)[];
    }

    /// <summary>Reads the raw value of a key, or null.</summary>
    /// <param name="options">The chat options, or null.</param>
    /// <param name="key">The key.</param>
    /// <returns>The value, or null.</returns>
    public static object? GetRaw(ChatOptions? options, string key) =>
        options?.AdditionalProperties is { } properties && properties.TryGetValue(key, out object? value) ? value : null;

    private static string Describe(object value) =>
        value is JsonElement e ? $"a JSON {e.ValueKind.ToString().ToLowerInvariant()}" : $"a {value.GetType().Name}";
}
