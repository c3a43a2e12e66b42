// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using System.IO;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AgentCore.Extensions.AI.Decoding;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Benchmarks;

/// <summary>
/// The library's SSE decoder (<see cref="ResponseDecoder.DecodeAsync"/>) on 2,000-event bodies of each stream shape,
/// against bare <see cref="SseParser"/> parsing of the same body into strings (the baseline). Figures are per event.
/// </summary>
[ShortJob]
[MemoryDiagnoser]
public class SseDecodeBenchmarks
{
    private byte[] _body = [];
    private ResponseMetadata _metadata = null!;

    [Params(Shape.Strands, Shape.StrandsCallbacks, Shape.JsonStrings, Shape.TypeScriptRaw)]
    public Shape Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = Bodies.For(Shape);
        _metadata = DecodeCheck.Metadata();
        DecodeCheck.Verify(Shape, _body, _metadata);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Bodies.EventCount)]
    public async Task<int> SseParserOnly()
    {
        int chars = 0;
        using var stream = new MemoryStream(_body, writable: false);
        await foreach (SseItem<string> item in SseParser.Create(stream).EnumerateAsync())
        {
            chars += item.Data.Length;
        }

        return chars;
    }

    [Benchmark(OperationsPerInvoke = Bodies.EventCount)]
    public async Task<int> LibraryDecoder()
    {
        int contents = 0;
        using var stream = new MemoryStream(_body, writable: false);
        await foreach (ChatResponseUpdate update in ResponseDecoder.DecodeAsync(stream, "text/event-stream", _metadata, CancellationToken.None))
        {
            contents += update.Contents.Count;
        }

        return contents;
    }
}

/// <summary>
/// The non-streamed decoders on one whole 2,000-word answer: <c>{"result": "..."}</c> as <c>application/json</c>, and
/// <c>text/plain</c>. Baseline: the least a caller could do (<see cref="JsonDocument"/> + <c>GetString</c>, or
/// <see cref="StreamReader.ReadToEndAsync(CancellationToken)"/>). Figures are per body.
/// </summary>
[ShortJob]
[MemoryDiagnoser]
public class WholeBodyDecodeBenchmarks
{
    private byte[] _body = [];
    private ResponseMetadata _metadata = null!;

    [Params(Shape.JsonResult, Shape.PlainText)]
    public Shape Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = Bodies.For(Shape);
        _metadata = DecodeCheck.Metadata();
        DecodeCheck.Verify(Shape, _body, _metadata);
    }

    [Benchmark(Baseline = true)]
    public async Task<int> MinimalRead()
    {
        using var stream = new MemoryStream(_body, writable: false);
        if (Shape == Shape.JsonResult)
        {
            using JsonDocument document = await JsonDocument.ParseAsync(stream);
            return document.RootElement.GetProperty("result").GetString()!.Length;
        }

        using var reader = new StreamReader(stream, Encoding.UTF8);
        return (await reader.ReadToEndAsync()).Length;
    }

    [Benchmark]
    public async Task<int> LibraryDecoder()
    {
        int contents = 0;
        using var stream = new MemoryStream(_body, writable: false);
        await foreach (ChatResponseUpdate update in ResponseDecoder.DecodeAsync(stream, Bodies.MediaType(Shape), _metadata, CancellationToken.None))
        {
            contents += update.Contents.Count;
        }

        return contents;
    }
}

/// <summary>Checks, once per process, that a body decodes to exactly the expected answer: a benchmark of a wrong decode is worthless.</summary>
internal static class DecodeCheck
{
    public static ResponseMetadata Metadata() =>
        new("0b6a2f4e-8c3d-4e1f-9a2b-3c4d5e6f7a8b", "agentcore-session-0123456789abcdef0123456789abcdef", Fixtures.Arn, Fixtures.SigningTime);

    public static void Verify(Shape shape, byte[] body, ResponseMetadata metadata)
    {
        var updates = new List<ChatResponseUpdate>();
        using (var stream = new MemoryStream(body, writable: false))
        {
            IAsyncEnumerator<ChatResponseUpdate> enumerator = ResponseDecoder.DecodeAsync(stream, Bodies.MediaType(shape), metadata, CancellationToken.None).GetAsyncEnumerator();
            while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                updates.Add(enumerator.Current);
            }

            enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        Verify(shape, updates);
    }

    public static void Verify(Shape shape, IReadOnlyList<ChatResponseUpdate> updates)
    {
        string text = updates.ToChatResponse().Text;
        string expected = Bodies.ExpectedText(shape);
        if (!string.Equals(text, expected, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"{shape}: decoded {text.Length} characters, expected {expected.Length}: the benchmark body or the decoder is wrong.");
        }
    }
}

/// <summary>
/// One raw-text event (the TypeScript SDK's <c>data: word</c>) through <see cref="StreamEventDecoder.Decode"/>: text whose first
/// character could start a JSON value (<c>t</c>, <c>f</c>, <c>n</c>, a digit, <c>-</c>) is handed to <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/>
/// first, which throws. Baseline: a word that the decoder's first-character check lets through at once.
/// </summary>
[ShortJob]
[MemoryDiagnoser]
public class RawTextEventBenchmarks
{
    private readonly StreamEventDecoder _decoder = new();
    private AgentCoreStreamEvent _event = null!;

    [Params(" learning", " the", " 42 apples")]
    public string Data { get; set; } = string.Empty;

    [GlobalSetup]
    public void Setup() => _event = new AgentCoreStreamEvent("message", Encoding.UTF8.GetBytes(Data));

    [Benchmark]
    public int DecodeOneEvent()
    {
        var contents = new List<AIContent>();
        _decoder.Decode(_event, contents);
        return contents.Count;
    }
}
