// Licensed under the Apache License, Version 2.0.

using System;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace AgentCore.Extensions.AI.Decoding;

/// <summary>
/// The fast path for the most frequent event of a Strands stream,
/// <c>{"event": {"contentBlockDelta": {"delta": {"text": "..."}, "contentBlockIndex": 0}}}</c>: read with a
/// <see cref="Utf8JsonReader"/> straight from the event's UTF-8 bytes, allocating only the text. Anything else, or anything
/// more, is left to the general decoder.
/// </summary>
internal static class StrandsTextDelta
{
    public static bool TryRead(ReadOnlySpan<byte> data, [NotNullWhen(true)] out string? text)
    {
        text = null;
        if (data.IsEmpty || data[0] != (byte)'{')
        {
            return false;
        }

        var reader = new Utf8JsonReader(data);
        try
        {
            return Expect(ref reader, JsonTokenType.StartObject)
                && Property(ref reader, "event"u8) && Expect(ref reader, JsonTokenType.StartObject)
                && Property(ref reader, "contentBlockDelta"u8) && Expect(ref reader, JsonTokenType.StartObject)
                && ReadBlockDelta(ref reader, out text)
                && Expect(ref reader, JsonTokenType.EndObject)
                && Expect(ref reader, JsonTokenType.EndObject)
                && !reader.Read()
                && text is not null;
        }
        catch (JsonException)
        {
            text = null;
            return false;
        }
    }

    // The members of contentBlockDelta, in any order: "delta": {"text": "..."} and optionally "contentBlockIndex": n.
    private static bool ReadBlockDelta(ref Utf8JsonReader reader, out string? text)
    {
        text = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("delta"u8))
            {
                if (!Expect(ref reader, JsonTokenType.StartObject) || !Property(ref reader, "text"u8) || !Expect(ref reader, JsonTokenType.String))
                {
                    return false;
                }

                text = reader.GetString();
                if (!Expect(ref reader, JsonTokenType.EndObject))
                {
                    return false;
                }
            }
            else if (reader.ValueTextEquals("contentBlockIndex"u8))
            {
                if (!Expect(ref reader, JsonTokenType.Number))
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool Expect(ref Utf8JsonReader reader, JsonTokenType type) => reader.Read() && reader.TokenType == type;

    private static bool Property(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) =>
        reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals(name);
}
