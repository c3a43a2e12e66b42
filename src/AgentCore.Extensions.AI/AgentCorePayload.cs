// Licensed under the Apache License, Version 2.0.

using System;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentCore.Extensions.AI;

/// <summary>
/// The bytes sent to an agent runtime as the body of one invocation, with their media type.
/// </summary>
/// <remarks>
/// AgentCore puts no schema on the payload: it is whatever the agent's entrypoint reads. Use the factory
/// methods to build one for an agent with its own schema, and return it from
/// <see cref="AgentCoreChatClientOptions.PayloadFactory"/>, from <c>ChatOptions.RawRepresentationFactory</c>, or pass it under
/// <see cref="AgentCoreAdditionalPropertiesKeys.Payload"/>.
/// </remarks>
public sealed class AgentCorePayload
{
    /// <summary>The media type of JSON payloads.</summary>
    public const string JsonContentType = "application/json";

    private AgentCorePayload(ReadOnlyMemory<byte> content, string contentType)
    {
        Content = content;
        ContentType = contentType;
    }

    /// <summary>Gets the payload bytes.</summary>
    public ReadOnlyMemory<byte> Content { get; }

    /// <summary>Gets the media type sent as <c>Content-Type</c>.</summary>
    public string ContentType { get; }

    /// <summary>Creates a JSON payload from a JSON node.</summary>
    /// <param name="json">The JSON to send.</param>
    /// <returns>The payload.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
    public static AgentCorePayload FromJson(JsonNode json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return new(JsonSerializer.SerializeToUtf8Bytes(json, AgentCoreJsonContext.Default.JsonNode), JsonContentType);
    }

    /// <summary>Creates a JSON payload from a JSON element.</summary>
    /// <param name="json">The JSON to send.</param>
    /// <returns>The payload.</returns>
    public static AgentCorePayload FromJson(JsonElement json) =>
        new(JsonSerializer.SerializeToUtf8Bytes(json, AgentCoreJsonContext.Default.JsonElement), JsonContentType);

    /// <summary>Creates a JSON payload from JSON text, which is checked to be well-formed JSON.</summary>
    /// <param name="jsonText">The JSON text to send as is.</param>
    /// <returns>The payload.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="jsonText"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="jsonText"/> is not well-formed JSON.</exception>
    public static AgentCorePayload FromJson(string jsonText)
    {
        ArgumentNullException.ThrowIfNull(jsonText);
        byte[] bytes = Encoding.UTF8.GetBytes(jsonText);
        EnsureWellFormedJson(bytes, nameof(jsonText));
        return new(bytes, JsonContentType);
    }

    /// <summary>Creates a payload from raw bytes and their media type.</summary>
    /// <param name="content">The bytes to send as is.</param>
    /// <param name="contentType">The media type, for example <c>application/json</c> or <c>text/plain</c>.</param>
    /// <returns>The payload.</returns>
    /// <exception cref="ArgumentException"><paramref name="contentType"/> is empty.</exception>
    public static AgentCorePayload FromBytes(ReadOnlyMemory<byte> content, string contentType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);
        return new(content, contentType);
    }

    /// <summary>Returns the media type and size, never the content (it may hold user data).</summary>
    /// <returns>A short description of the payload.</returns>
    public override string ToString() => $"{ContentType}, {Content.Length} bytes";

    internal static void EnsureWellFormedJson(ReadOnlySpan<byte> utf8, string paramName)
    {
        var reader = new Utf8JsonReader(utf8);
        try
        {
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The payload is not well-formed JSON ({e.Message}). Pass JSON text, or use AgentCorePayload.FromBytes with the right content type.", paramName, e);
        }
    }
}
