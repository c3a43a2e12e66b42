// Licensed under the Apache License, Version 2.0.

using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Decoding;

/// <summary>
/// Turns an answer body into chat updates, by the answer's own Content-Type (never by what was asked for):
/// <c>text/event-stream</c> event by event, JSON whole, anything else as UTF-8 text as it arrives.
/// </summary>
internal static class ResponseDecoder
{
    private const int TextChunkBytes = 16 * 1024;

    public static IAsyncEnumerable<ChatResponseUpdate> DecodeAsync(Stream body, string? mediaType, ResponseMetadata metadata, CancellationToken cancellationToken) =>
        mediaType switch
        {
            "text/event-stream" => DecodeEventStreamAsync(body, metadata, cancellationToken),
            not null when IsJson(mediaType) => DecodeJsonAsync(body, metadata, cancellationToken),
            _ => DecodeTextAsync(body, metadata, cancellationToken),
        };

    public static bool IsJson(string mediaType) =>
        mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    private static async IAsyncEnumerable<ChatResponseUpdate> DecodeEventStreamAsync(Stream body, ResponseMetadata metadata, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var decoder = new StreamEventDecoder();
        SseParser<AgentCoreStreamEvent> parser = SseParser.Create(body, static (eventType, data) => new AgentCoreStreamEvent(eventType, data.ToArray()));
        await foreach (SseItem<AgentCoreStreamEvent> item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            AgentCoreStreamEvent streamEvent = item.EventId is null ? item.Data : new AgentCoreStreamEvent(item.EventType, item.Data.Data, item.EventId);
            var contents = new List<AIContent>(capacity: 1);
            ChatFinishReason? finish = decoder.Decode(streamEvent, contents);
            yield return metadata.Update(contents, streamEvent, finish);
        }
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> DecodeJsonAsync(Stream body, ResponseMetadata metadata, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArraySegment<byte> bytes = await ReadAllAsync(body, cancellationToken).ConfigureAwait(false);
        var contents = new List<AIContent>();
        object raw;
        try
        {
            // ParseValue builds an element that owns its data (no pooled document to dispose, no Clone of the whole body).
            var reader = new Utf8JsonReader(bytes);
            JsonElement root = JsonElement.ParseValue(ref reader);
            if (reader.Read())
            {
                throw new JsonException("The body continues after its JSON value.");
            }

            raw = root;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out _) && !root.TryGetProperty("result", out _))
            {
                throw StreamEventDecoder.AgentError(root);
            }

            AgentJson.ReadAnswer(root, raw, contents);
        }
        catch (JsonException)
        {
            // The TypeScript SDK labels a plain string answer application/json when SSE was accepted.
            string text = Encoding.UTF8.GetString(bytes);
            raw = text;
            contents.Add(new TextContent(text) { RawRepresentation = raw });
        }

        yield return metadata.Update(contents, raw, ChatFinishReason.Stop);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> DecodeTextAsync(Stream body, ResponseMetadata metadata, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Decoder utf8 = Encoding.UTF8.GetDecoder();
        byte[] bytes = ArrayPool<byte>.Shared.Rent(TextChunkBytes);
        char[] chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(TextChunkBytes));
        try
        {
            int read;
            while ((read = await body.ReadAsync(bytes.AsMemory(0, TextChunkBytes), cancellationToken).ConfigureAwait(false)) > 0)
            {
                int count = utf8.GetChars(bytes, 0, read, chars, 0, flush: false);
                if (count > 0)
                {
                    string text = new(chars, 0, count);
                    yield return metadata.Update([new TextContent(text) { RawRepresentation = text }], text);
                }
            }

            int tail = utf8.GetChars(bytes, 0, 0, chars, 0, flush: true);
            string last = new(chars, 0, tail);
            yield return metadata.Update(last.Length == 0 ? [] : [new TextContent(last) { RawRepresentation = last }], last, ChatFinishReason.Stop);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static async Task<ArraySegment<byte>> ReadAllAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);

        // The stream's own buffer, not a copy of it: the body is read once and parsed from where it landed.
        return buffer.TryGetBuffer(out ArraySegment<byte> written) ? written : new ArraySegment<byte>(buffer.ToArray());
    }
}
