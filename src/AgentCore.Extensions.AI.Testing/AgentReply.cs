// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using System.IO;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace AgentCore.Extensions.AI.Testing;

/// <summary>
/// What the agent behind a <see cref="LocalAgentRuntime"/> answers: one of the response shapes real agents and the service
/// write (see the factory methods), written to the wire as they would be.
/// </summary>
public abstract class AgentReply
{
    private protected AgentReply()
    {
    }

    /// <summary>A non-streamed <c>application/json</c> answer <c>{"result": "text"}</c> (the Python SDK returning a string under <c>result</c>).</summary>
    /// <param name="text">The answer.</param>
    /// <returns>The reply.</returns>
    public static AgentReply JsonResult(string text) =>
        new WholeBodyReply("application/json", JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["result"] = text }), text);

    /// <summary>A non-streamed Strands message: <c>{"result": {"role": "assistant", "content": [{"text": "..."}]}}</c>.</summary>
    /// <param name="text">The answer.</param>
    /// <returns>The reply.</returns>
    public static AgentReply StrandsMessage(string text) =>
        new WholeBodyReply("application/json", Encoding.UTF8.GetBytes($"{{\"result\": {{\"role\": \"assistant\", \"content\": [{{\"text\": {Quote(text)}}}]}}}}"), text);

    /// <summary>A non-streamed <c>text/plain</c> answer.</summary>
    /// <param name="text">The answer.</param>
    /// <returns>The reply.</returns>
    public static AgentReply PlainText(string text) => new WholeBodyReply("text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text), text);

    /// <summary>Any non-streamed body with its content type, written as is (for agents with their own answer schema).</summary>
    /// <param name="contentType">The Content-Type.</param>
    /// <param name="body">The body.</param>
    /// <param name="answerText">The text to remember as this turn's answer in the session history.</param>
    /// <returns>The reply.</returns>
    public static AgentReply Body(string contentType, byte[] body, string answerText) => new WholeBodyReply(contentType, body, answerText);

    /// <summary>
    /// A Strands SSE stream as the Python SDK writes it: <c>messageStart</c>, one <c>contentBlockDelta</c> per chunk, each
    /// followed by Strands' duplicate <c>{"data": ...}</c> callback event, <c>contentBlockStop</c>, <c>messageStop</c>
    /// (<c>end_turn</c>), <c>metadata.usage</c> when given, then the whole <c>{"message": ...}</c>.
    /// </summary>
    /// <param name="chunks">The text deltas, in order.</param>
    /// <param name="usage">The usage to report (input, output tokens), or null to report none.</param>
    /// <param name="delay">The pause before each delta, or null for none.</param>
    /// <returns>The reply.</returns>
    public static AgentReply StrandsEvents(IEnumerable<string> chunks, (int Input, int Output)? usage = null, TimeSpan? delay = null) =>
        StrandsEvents(ToAsync(chunks), usage, delay);

    /// <summary>A Strands SSE stream of chunks produced as the agent goes (see the other overload).</summary>
    /// <param name="chunks">The text deltas, produced asynchronously.</param>
    /// <param name="usage">The usage to report, or null.</param>
    /// <param name="delay">The pause before each delta, or null.</param>
    /// <returns>The reply.</returns>
    public static AgentReply StrandsEvents(IAsyncEnumerable<string> chunks, (int Input, int Output)? usage = null, TimeSpan? delay = null) =>
        new StrandsReply(chunks, usage, delay);

    /// <summary>An SSE stream of plain JSON strings, <c>data: "Hello"</c>: the Python SDK yielding text.</summary>
    /// <param name="chunks">The chunks.</param>
    /// <param name="delay">The pause before each event, or null.</param>
    /// <returns>The reply.</returns>
    public static AgentReply JsonStringEvents(IEnumerable<string> chunks, TimeSpan? delay = null) =>
        new EventStreamReply(ToAsync(chunks), static chunk => "data: " + Quote(chunk) + "\n\n", delay, failure: null);

    /// <summary>
    /// An SSE stream as the TypeScript SDK writes it: raw unquoted text, a chunk with newlines split over several
    /// <c>data:</c> lines, LF line ends, and a <c>: heartbeat</c> comment first.
    /// </summary>
    /// <param name="chunks">The chunks.</param>
    /// <param name="delay">The pause before each event, or null.</param>
    /// <returns>The reply.</returns>
    public static AgentReply RawTextEvents(IEnumerable<string> chunks, TimeSpan? delay = null) =>
        new EventStreamReply(ToAsync(chunks), RawTextFrame, delay, failure: null, prelude: ": heartbeat\n\n");

    /// <summary>
    /// A stream that fails part-way: the chunks, then an error as the Python SDK writes it
    /// (<c>{"error": ..., "error_type": ..., "message": ...}</c>) or, with <paramref name="typeScriptStyle"/>, as the
    /// TypeScript SDK does (<c>event: error</c> with <c>{"error": ...}</c>).
    /// </summary>
    /// <param name="chunks">What is streamed before the failure.</param>
    /// <param name="error">The error text.</param>
    /// <param name="errorType">The Python error type, for example <c>ValueError</c>.</param>
    /// <param name="typeScriptStyle">Whether to write the TypeScript SDK's framing.</param>
    /// <returns>The reply.</returns>
    public static AgentReply StreamThenError(IEnumerable<string> chunks, string error, string errorType = "RuntimeError", bool typeScriptStyle = false) =>
        typeScriptStyle
            ? new EventStreamReply(ToAsync(chunks), RawTextFrame, delay: null, failure: $"event: error\ndata: {{\"error\":{Quote(error)}}}\n\n")
            : new EventStreamReply(ToAsync(chunks), static chunk => "data: " + Quote(chunk) + "\n\n", delay: null,
                failure: $"data: {{\"error\": {Quote(error)}, \"error_type\": {Quote(errorType)}, \"message\": \"An error occurred during streaming\"}}\n\n");

    /// <summary>An error answer as the AgentCore service writes it: the status, <c>x-amzn-ErrorType</c> and a JSON <c>message</c>.</summary>
    /// <param name="statusCode">The HTTP status, for example 429.</param>
    /// <param name="errorType">The error type, for example <c>ThrottlingException</c>.</param>
    /// <param name="message">The message.</param>
    /// <returns>The reply.</returns>
    public static AgentReply ServiceError(int statusCode, string errorType, string message) => new ServiceErrorReply(statusCode, errorType, message);

    /// <summary>The same reply, after a pause (to test timeouts, spinners and cancellation).</summary>
    /// <param name="delay">The pause before anything is written.</param>
    /// <param name="reply">The reply.</param>
    /// <returns>The reply.</returns>
    public static AgentReply Delayed(TimeSpan delay, AgentReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return new DelayedReply(delay, reply);
    }

    /// <summary>Writes the reply. Returns the answer text to remember in the session, or null when nothing is remembered (errors).</summary>
    internal abstract Task<string?> WriteAsync(ReplyWriter writer, CancellationToken cancellationToken);

    internal static string Quote(string text) => JsonSerializer.Serialize(text);

    private static string RawTextFrame(string chunk) =>
        string.Concat(chunk.Split('\n').Select(static line => "data: " + line + "\n")) + "\n";

    private static async IAsyncEnumerable<string> ToAsync(IEnumerable<string> chunks, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (string chunk in chunks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return chunk;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private sealed class WholeBodyReply(string contentType, byte[] body, string answerText) : AgentReply
    {
        internal override async Task<string?> WriteAsync(ReplyWriter writer, CancellationToken cancellationToken)
        {
            await writer.StartAsync(200, contentType).ConfigureAwait(false);
            await writer.WriteAsync(body, cancellationToken).ConfigureAwait(false);
            return answerText;
        }
    }

    private sealed class ServiceErrorReply(int statusCode, string errorType, string message) : AgentReply
    {
        internal override async Task<string?> WriteAsync(ReplyWriter writer, CancellationToken cancellationToken)
        {
            await writer.WriteServiceErrorAsync(statusCode, errorType, message, cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    private sealed class DelayedReply(TimeSpan delay, AgentReply inner) : AgentReply
    {
        internal override async Task<string?> WriteAsync(ReplyWriter writer, CancellationToken cancellationToken)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            return await inner.WriteAsync(writer, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class EventStreamReply(IAsyncEnumerable<string> chunks, Func<string, string> frame, TimeSpan? delay, string? failure, string? prelude = null) : AgentReply
    {
        internal override async Task<string?> WriteAsync(ReplyWriter writer, CancellationToken cancellationToken)
        {
            await writer.StartAsync(200, "text/event-stream").ConfigureAwait(false);
            if (prelude is not null)
            {
                await writer.WriteEventAsync(prelude, cancellationToken).ConfigureAwait(false);
            }

            var answer = new StringBuilder();
            await foreach (string chunk in chunks.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (delay is { } pause)
                {
                    await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                }

                answer.Append(chunk);
                await writer.WriteEventAsync(frame(chunk), cancellationToken).ConfigureAwait(false);
            }

            if (failure is not null)
            {
                await writer.WriteEventAsync(failure, cancellationToken).ConfigureAwait(false);
                return null;
            }

            return answer.ToString();
        }
    }

    private sealed class StrandsReply(IAsyncEnumerable<string> chunks, (int Input, int Output)? usage, TimeSpan? delay) : AgentReply
    {
        private const string AgentRepr = "<strands.agent.agent.Agent object at 0x7f3c2a1b5d90>";

        internal override async Task<string?> WriteAsync(ReplyWriter writer, CancellationToken cancellationToken)
        {
            await writer.StartAsync(200, "text/event-stream").ConfigureAwait(false);
            await writer.WriteEventAsync("data: {\"init_event_loop\": true}\n\ndata: {\"event\": {\"messageStart\": {\"role\": \"assistant\"}}}\n\n", cancellationToken).ConfigureAwait(false);
            var answer = new StringBuilder();
            await foreach (string chunk in chunks.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (delay is { } pause)
                {
                    await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                }

                answer.Append(chunk);
                string quoted = Quote(chunk);
                await writer.WriteEventAsync(
                    $"data: {{\"event\": {{\"contentBlockDelta\": {{\"delta\": {{\"text\": {quoted}}}, \"contentBlockIndex\": 0}}}}}}\n\n" +
                    $"data: {{\"data\": {quoted}, \"delta\": {{\"text\": {quoted}}}, \"agent\": \"{AgentRepr}\"}}\n\n",
                    cancellationToken).ConfigureAwait(false);
            }

            var tail = new StringBuilder()
                .Append("data: {\"event\": {\"contentBlockStop\": {\"contentBlockIndex\": 0}}}\n\n")
                .Append("data: {\"event\": {\"messageStop\": {\"stopReason\": \"end_turn\"}}}\n\n");
            if (usage is (int input, int output))
            {
                tail.Append(FormattableString.Invariant($"data: {{\"event\": {{\"metadata\": {{\"usage\": {{\"inputTokens\": {input}, \"outputTokens\": {output}, \"totalTokens\": {input + output}}}}}}}}}\n\n"));
            }

            tail.Append(CultureInfo.InvariantCulture, $"data: {{\"message\": {{\"role\": \"assistant\", \"content\": [{{\"text\": {Quote(answer.ToString())}}}]}}}}\n\n");
            await writer.WriteEventAsync(tail.ToString(), cancellationToken).ConfigureAwait(false);
            return answer.ToString();
        }
    }
}

/// <summary>Writes a reply to the wire; implemented over ASP.NET Core's response.</summary>
internal abstract class ReplyWriter
{
    /// <summary>Sets the status and content type and sends the headers.</summary>
    public abstract Task StartAsync(int statusCode, string contentType);

    /// <summary>Writes body bytes.</summary>
    public abstract Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    /// <summary>Writes an SSE frame and flushes it, so it reaches the client now.</summary>
    public abstract Task WriteEventAsync(string frame, CancellationToken cancellationToken);

    /// <summary>Writes an AgentCore service error.</summary>
    public abstract Task WriteServiceErrorAsync(int statusCode, string errorType, string message, CancellationToken cancellationToken);
}
