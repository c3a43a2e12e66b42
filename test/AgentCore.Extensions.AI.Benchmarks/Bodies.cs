// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Concurrent;
using System.Text;

namespace AgentCore.Extensions.AI.Benchmarks;

/// <summary>The answer bodies the benchmarks decode.</summary>
public enum Shape
{
    /// <summary>Strands model events only: <c>data: {"event": {"contentBlockDelta": {"delta": {"text": "word "}, ...}}}</c>.</summary>
    Strands,

    /// <summary>
    /// Strands as a real agent streams it: every text delta twice (the model event, then the <c>{"data": ..., "delta": ...}</c>
    /// callback event), start events, a final whole message and a Python repr line.
    /// </summary>
    StrandsCallbacks,

    /// <summary>The Python SDK yielding strings: <c>data: "word "</c>.</summary>
    JsonStrings,

    /// <summary>The TypeScript SDK's raw text: <c>data: word </c>.</summary>
    TypeScriptRaw,

    /// <summary>A non-streamed <c>{"result": "&lt;long text&gt;"}</c>, <c>application/json</c>.</summary>
    JsonResult,

    /// <summary>A non-streamed <c>text/plain</c> answer.</summary>
    PlainText,
}

/// <summary>
/// Builds realistic in-memory bodies, deterministically. Every SSE shape holds exactly <see cref="EventCount"/> events, so
/// per-event figures come from <c>OperationsPerInvoke = EventCount</c>. JSON is written the way Python's <c>json.dumps</c>
/// writes it (<c>", "</c> and <c>": "</c> separators), as the AgentCore Python SDK sends Strands events.
/// </summary>
public static class Bodies
{
    /// <summary>SSE events per streamed body.</summary>
    public const int EventCount = 2000;

    /// <summary>Words in a non-streamed answer (the same length of answer as a streamed one).</summary>
    public const int WholeAnswerWords = 2000;

    private const string CycleId = "5e0c3b1e-8f0b-4c1e-9a8e-1f2d3c4b5a69";
    private const string AgentRepr = "<strands.agent.agent.Agent object at 0x7f3c2a1b5d90>";

    private static readonly string[] Vocabulary =
    [
        "Machine", "learning", "lets", "computers", "learn", "from", "examples,", "rather", "than", "following", "explicit",
        "rules", "written", "by", "a", "programmer.", "A", "model", "is", "trained", "on", "data", "and", "then", "evaluated",
        "held-out", "set", "to", "estimate", "how", "well", "it", "generalises", "inputs", "has", "never", "seen.",
    ];

    private static readonly ConcurrentDictionary<Shape, byte[]> Cache = new();

    /// <summary>The media type the agent labels the body with.</summary>
    public static string MediaType(Shape shape) => shape switch
    {
        Shape.JsonResult => "application/json",
        Shape.PlainText => "text/plain",
        _ => "text/event-stream",
    };

    /// <summary>True for the <c>text/event-stream</c> shapes.</summary>
    public static bool IsEventStream(Shape shape) => shape is not (Shape.JsonResult or Shape.PlainText);

    /// <summary>The body, UTF-8; built once per process.</summary>
    public static byte[] For(Shape shape) => Cache.GetOrAdd(shape, static s => Encoding.UTF8.GetBytes(Build(s)));

    /// <summary>The answer text the decoder must produce from the body (used to check the benchmark decodes correctly).</summary>
    public static string ExpectedText(Shape shape) => shape switch
    {
        Shape.Strands => Words(EventCount - 4),
        Shape.StrandsCallbacks => Words(StrandsCallbackDeltas),
        Shape.JsonStrings or Shape.TypeScriptRaw => Words(EventCount),
        _ => Words(WholeAnswerWords),
    };

    // init_event_loop, start_event_loop, messageStart, then (delta, callback) pairs, then contentBlockStop, messageStop,
    // metadata, the whole message and the Python repr of the result: 3 + 2n + 5 = EventCount.
    private const int StrandsCallbackDeltas = (EventCount - 8) / 2;

    private static string Word(int i) => (i == 0 ? string.Empty : " ") + Vocabulary[i % Vocabulary.Length];

    private static string Words(int count)
    {
        var text = new StringBuilder(count * 8);
        for (int i = 0; i < count; i++)
        {
            text.Append(Word(i));
        }

        return text.ToString();
    }

    private static string Build(Shape shape)
    {
        var sse = new StringBuilder(512 * 1024);
        switch (shape)
        {
            case Shape.Strands:
                Event(sse, """{"event": {"messageStart": {"role": "assistant"}}}""");
                for (int i = 0; i < EventCount - 4; i++)
                {
                    Event(sse, TextDelta(Word(i)));
                }

                StrandsTail(sse);
                break;

            case Shape.StrandsCallbacks:
                Event(sse, """{"init_event_loop": true}""");
                Event(sse, """{"start_event_loop": true}""");
                Event(sse, """{"event": {"messageStart": {"role": "assistant"}}}""");
                for (int i = 0; i < StrandsCallbackDeltas; i++)
                {
                    string word = Word(i);
                    Event(sse, TextDelta(word));
                    Event(sse, "{\"data\": \"" + word + "\", \"delta\": {\"text\": \"" + word + "\"}, \"event_loop_cycle_id\": \"" + CycleId + "\", \"agent\": \"" + AgentRepr + "\"}");
                }

                StrandsTail(sse);
                Event(sse, "{\"message\": {\"role\": \"assistant\", \"content\": [{\"text\": \"" + Words(StrandsCallbackDeltas) + "\"}]}}");
                Event(sse, "\"{'result': AgentResult(stop_reason='end_turn', message={'role': 'assistant'}), 'agent': " + AgentRepr + "}\"");
                break;

            case Shape.JsonStrings:
                for (int i = 0; i < EventCount; i++)
                {
                    Event(sse, $"\"{Word(i)}\"");
                }

                break;

            case Shape.TypeScriptRaw:
                for (int i = 0; i < EventCount; i++)
                {
                    Event(sse, Word(i));
                }

                break;

            case Shape.JsonResult:
                return $$"""{"result": "{{Words(WholeAnswerWords)}}"}""";

            case Shape.PlainText:
                return Words(WholeAnswerWords);

            default:
                throw new ArgumentOutOfRangeException(nameof(shape), shape, null);
        }

        return sse.ToString();
    }

    private static void StrandsTail(StringBuilder sse)
    {
        Event(sse, """{"event": {"contentBlockStop": {"contentBlockIndex": 0}}}""");
        Event(sse, """{"event": {"messageStop": {"stopReason": "end_turn"}}}""");
        Event(sse, """{"event": {"metadata": {"usage": {"inputTokens": 12, "outputTokens": 2000, "totalTokens": 2012}, "metrics": {"latencyMs": 31250}}}}""");
    }

    private static string TextDelta(string text) =>
        "{\"event\": {\"contentBlockDelta\": {\"delta\": {\"text\": \"" + text + "\"}, \"contentBlockIndex\": 0}}}";

    private static void Event(StringBuilder sse, string data) => sse.Append("data: ").Append(data).Append("\n\n");
}
