// Licensed under the Apache License, Version 2.0.

using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Decoding;

/// <summary>
/// Decodes the events of one streamed answer, in order. Stateful: it joins tool-use input fragments and keeps whole
/// messages from repeating what deltas already delivered.
/// </summary>
/// <remarks>
/// Shapes, first match wins: an <c>error</c> event or <c>{"error": ...}</c> → <see cref="AgentCoreException"/>;
/// Strands events <c>{"event": {...}}</c>; whole messages <c>{"message": {...}}</c>; <c>{"message": "..."}</c>,
/// <c>{"chunk": "..."}</c>, <c>{"text": "..."}</c>, <c>{"data": "..."}</c> (the last only when the stream carries no Strands
/// events, which it would duplicate); <c>{"result"|"output"|"response": ...}</c> when nothing was streamed before;
/// a JSON string (the Python SDK's text); anything that is not JSON is the text itself (the TypeScript SDK's raw text).
/// Empty data, <c>[DONE]</c> and unknown objects carry no content.
/// </remarks>
internal sealed class StreamEventDecoder
{
    private readonly StreamedSoFar _streamed = new();
    private readonly Dictionary<int, PendingToolCall> _pendingToolCalls = [];
    private bool _sawStrandsEvents;
    private bool _sawAnyContent;
    private bool _sawRawText;

    /// <summary>Decodes one event into <paramref name="contents"/>; returns the finish reason it reports, if any.</summary>
    /// <exception cref="AgentCoreException">The event reports an agent error.</exception>
    public ChatFinishReason? Decode(AgentCoreStreamEvent streamEvent, List<AIContent> contents)
    {
        ReadOnlySpan<byte> data = streamEvent.Data.Span;
        bool isErrorEvent = streamEvent.EventType == "error";
        if (!isErrorEvent && (IsBlank(data) || data.SequenceEqual("[DONE]"u8)))
        {
            return null;
        }

        if (!isErrorEvent && StrandsTextDelta.TryRead(data, out string? delta))
        {
            _sawStrandsEvents = true;
            _streamed.Text = true;
            AddText(contents, delta, streamEvent);
            return null;
        }

        JsonDocument? document = TryParse(streamEvent.Data);
        if (document is null)
        {
            if (isErrorEvent)
            {
                throw AgentError(streamEvent.DataText, errorType: null);
            }

            _sawRawText = true;
            AddText(contents, streamEvent.DataText, streamEvent);
            return null;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (isErrorEvent || (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out _)))
            {
                throw AgentError(root);
            }

            ChatFinishReason? finish = null;
            switch (root.ValueKind)
            {
                case JsonValueKind.String:
                    // The TypeScript SDK writes text raw, so a yielded "hi" (quotes included) looks like a JSON string. JSON
                    // encoders never pad their output, so padding, or a stream already carrying raw text, means raw text.
                    if (_sawRawText || HasOuterWhitespace(data))
                    {
                        AddText(contents, streamEvent.DataText, streamEvent);
                    }
                    else if (root.GetString() is { } text && !IsPythonRepr(text))
                    {
                        AddText(contents, text, streamEvent);
                    }

                    break;

                case JsonValueKind.Object:
                    finish = DecodeObject(root, streamEvent, contents);
                    break;

                default:
                    // A number, boolean or array yielded as is: its text is the answer.
                    AddText(contents, streamEvent.DataText, streamEvent);
                    break;
            }

            _sawAnyContent |= contents.Count > 0;
            return finish;
        }
    }

    private ChatFinishReason? DecodeObject(JsonElement root, AgentCoreStreamEvent raw, List<AIContent> contents)
    {
        if (root.TryGetProperty("event", out JsonElement strandsEvent) && strandsEvent.ValueKind == JsonValueKind.Object)
        {
            _sawStrandsEvents = true;
            return DecodeStrandsEvent(strandsEvent, raw, contents);
        }

        if (root.TryGetProperty("message", out JsonElement message))
        {
            if (message.ValueKind == JsonValueKind.String)
            {
                AddText(contents, message.GetString()!, raw);
            }
            else if (AgentJson.IsMessage(message))
            {
                AgentJson.ReadMessage(message, raw, contents, _streamed);
                _streamed.NextMessage();
            }

            return null;
        }

        // Strands sends each text delta twice: as a model event and as {"data": ...}; keep the model event (and don't
        // materialise the duplicate's text at all: it is half of a Strands stream's events).
        if (_sawStrandsEvents && root.TryGetProperty("data"u8, out JsonElement duplicate) && duplicate.ValueKind == JsonValueKind.String)
        {
            return null;
        }

        foreach (string key in TextKeys)
        {
            if (AgentJson.GetString(root, key) is { } text)
            {
                AddText(contents, text, raw);
                return null;
            }
        }

        if (!_sawAnyContent)
        {
            foreach (string key in FinalAnswerKeys)
            {
                if (root.TryGetProperty(key, out JsonElement answer) && AgentJson.TryReadAnswer(answer, raw, contents))
                {
                    break;
                }
            }
        }

        return null;
    }

    private ChatFinishReason? DecodeStrandsEvent(JsonElement strandsEvent, AgentCoreStreamEvent raw, List<AIContent> contents)
    {
        if (strandsEvent.TryGetProperty("contentBlockDelta", out JsonElement blockDelta))
        {
            if (!blockDelta.TryGetProperty("delta", out JsonElement delta))
            {
                return null;
            }

            if (AgentJson.GetString(delta, "text") is { } text)
            {
                AddText(contents, text, raw);
                _streamed.Text = true;
            }
            else if (delta.TryGetProperty("reasoningContent", out JsonElement reasoning))
            {
                string? reasoningText = AgentJson.GetString(reasoning, "text");
                string? signature = AgentJson.GetString(reasoning, "signature");
                if (reasoningText is not null || signature is not null)
                {
                    contents.Add(new TextReasoningContent(reasoningText) { ProtectedData = signature, RawRepresentation = raw });
                    _streamed.Reasoning = true;
                }
            }
            else if (delta.TryGetProperty("toolUse", out JsonElement toolUse) &&
                     _pendingToolCalls.TryGetValue(BlockIndex(blockDelta), out PendingToolCall? pending))
            {
                pending.Input.Append(AgentJson.GetString(toolUse, "input"));
            }

            return null;
        }

        if (strandsEvent.TryGetProperty("contentBlockStart", out JsonElement blockStart))
        {
            if (blockStart.TryGetProperty("start", out JsonElement start) && start.TryGetProperty("toolUse", out JsonElement toolUse))
            {
                _pendingToolCalls[BlockIndex(blockStart)] = new PendingToolCall(
                    AgentJson.GetString(toolUse, "toolUseId") ?? string.Empty,
                    AgentJson.GetString(toolUse, "name") ?? string.Empty);
            }

            return null;
        }

        if (strandsEvent.TryGetProperty("contentBlockStop", out JsonElement blockStop))
        {
            int index = BlockIndex(blockStop);
            if (_pendingToolCalls.Remove(index, out PendingToolCall? done) && _streamed.ToolCallIds.Add(done.CallId))
            {
                contents.Add(done.ToContent(raw));
            }

            return null;
        }

        if (strandsEvent.TryGetProperty("messageStop", out JsonElement messageStop))
        {
            return AgentJson.GetString(messageStop, "stopReason") is { } reason ? MapStopReason(reason) : null;
        }

        if (strandsEvent.TryGetProperty("metadata", out JsonElement metadata) &&
            metadata.TryGetProperty("usage", out JsonElement usage) &&
            AgentJson.Usage(usage, raw) is { } usageContent)
        {
            contents.Add(usageContent);
        }

        return null;
    }

    /// <summary>Maps Bedrock/Strands stop reasons as the Bedrock MEAI provider does; others pass through as they are.</summary>
    public static ChatFinishReason MapStopReason(string reason) => reason switch
    {
        "end_turn" or "stop_sequence" or "stop" => ChatFinishReason.Stop,
        "max_tokens" or "length" => ChatFinishReason.Length,
        "tool_use" or "tool_calls" => ChatFinishReason.ToolCalls,
        "content_filtered" or "guardrail_intervened" or "content_filter" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(reason),
    };

    /// <summary>The exception for an error object an agent wrote: the Python SDK's <c>{"error", "error_type", "message"}</c> or <c>{"error": ...}</c>.</summary>
    internal static AgentCoreException AgentError(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return AgentError(root.ValueKind == JsonValueKind.String ? root.GetString()! : root.GetRawText(), errorType: null);
        }

        string? errorType = AgentJson.GetString(root, "error_type") ?? AgentJson.GetString(root, "type");
        string description = root.TryGetProperty("error", out JsonElement error)
            ? error.ValueKind switch
            {
                JsonValueKind.String => error.GetString()!,
                JsonValueKind.Object => AgentJson.GetString(error, "message") ?? error.GetRawText(),
                _ => error.GetRawText(),
            }
            : AgentJson.GetString(root, "message") ?? root.GetRawText();
        errorType ??= root.TryGetProperty("error", out error) ? AgentJson.GetString(error, "type") ?? AgentJson.GetString(error, "code") : null;
        return AgentError(description, errorType);
    }

    private static AgentCoreException AgentError(string description, string? errorType) =>
        new($"The agent reported an error in its answer{(errorType is null ? string.Empty : $" ({errorType})")}: {description}")
        {
            Kind = AgentCoreErrorKind.AgentError,
            ErrorType = errorType,
        };

    private void AddText(List<AIContent> contents, string text, object raw)
    {
        if (text.Length > 0)
        {
            contents.Add(new TextContent(text) { RawRepresentation = raw });
            _sawAnyContent = true;
        }
    }

    private static int BlockIndex(JsonElement element) =>
        element.TryGetProperty("contentBlockIndex", out JsonElement index) && index.TryGetInt32(out int value) ? value : 0;

    private static JsonDocument? TryParse(ReadOnlyMemory<byte> data)
    {
        if (!CouldBeJson(data.Span))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// A cheap test that keeps raw text (the TypeScript SDK's) away from the JSON parser, whose failure is an exception:
    /// a literal or number must be the whole data, anything else must start like an object, array or string.
    /// </summary>
    private static bool CouldBeJson(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> value = data.Trim(" \t\r\n"u8);
        if (value.IsEmpty)
        {
            return false;
        }

        return value[0] switch
        {
            (byte)'{' or (byte)'[' or (byte)'"' => true,
            (byte)'t' or (byte)'f' or (byte)'n' => value.SequenceEqual("true"u8) || value.SequenceEqual("false"u8) || value.SequenceEqual("null"u8),
            (byte)'-' or (>= (byte)'0' and <= (byte)'9') => Utf8Parser.TryParse(value, out double _, out int consumed, 'E') && consumed == value.Length,
            _ => false,
        };
    }

    private static bool HasOuterWhitespace(ReadOnlySpan<byte> data) =>
        data.Length > 0 && (IsJsonWhitespace(data[0]) || IsJsonWhitespace(data[^1]));

    private static bool IsJsonWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static bool IsBlank(ReadOnlySpan<byte> data) => data.TrimStart(" \t\r\n"u8).IsEmpty;

    // The Python SDK falls back to str(obj) for events that are not JSON-serialisable ("{'data': ..., 'agent': <Agent ...>}"):
    // that is a dump of the agent's internals, not answer text.
    private static bool IsPythonRepr(string text) =>
        text.Length > 4 && text.StartsWith("{'", StringComparison.Ordinal) && text.EndsWith('}') && text.Contains("': ", StringComparison.Ordinal);

    private static readonly string[] TextKeys = ["chunk", "text", "data"];
    private static readonly string[] FinalAnswerKeys = ["result", "output", "response"];

    private sealed class PendingToolCall(string callId, string name)
    {
        public string CallId { get; } = callId;

        public StringBuilder Input { get; } = new();

        public FunctionCallContent ToContent(object raw)
        {
            string json = Input.ToString();
            FunctionCallContent call = FunctionCallContent.CreateFromParsedArguments(
                json.Length == 0 ? "{}" : json,
                CallId,
                name,
                static text =>
                {
                    using JsonDocument document = JsonDocument.Parse(text);
                    var arguments = new Dictionary<string, object?>();
                    foreach (JsonProperty property in document.RootElement.EnumerateObject())
                    {
                        arguments[property.Name] = property.Value.Clone();
                    }

                    return arguments;
                });
            call.InformationalOnly = true;
            call.RawRepresentation = raw;
            return call;
        }
    }
}
