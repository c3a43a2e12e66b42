// Licensed under the Apache License, Version 2.0.

using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AgentCore.Extensions.AI;
using AgentCore.Gateway.OpenAi;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentCore.Gateway;

/// <summary><c>POST /v1/chat/completions</c>: an OpenAI request in, the agent's answer out, plain or streamed.</summary>
internal sealed partial class ChatCompletionsEndpoint(ModelRouter router, IServiceProvider services, TimeProvider time, ILogger<ChatCompletionsEndpoint> logger)
{
    /// <summary>The response header with the runtime session id the agent used.</summary>
    public const string SessionHeader = "x-agentcore-session-id";

    /// <summary>The status logged for a request whose client hung up first (nginx's convention).</summary>
    private const int ClientClosedRequest = 499;

    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public async Task HandleAsync(HttpContext context, long maxRequestBytes)
    {
        var clock = Stopwatch.StartNew();
        CancellationToken aborted = context.RequestAborted;
        ChatCompletionRequest request;
        try
        {
            request = ChatCompletionRequest.Parse(await ReadBodyAsync(context.Request, maxRequestBytes, aborted));
        }
        catch (FormatException e)
        {
            await OpenAiError.BadRequest(e.Message).WriteAsync(context.Response);
            return;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await OpenAiError.TooLarge(maxRequestBytes).WriteAsync(context.Response);
            return;
        }

        if (!router.TryPick(request.Model, out string deployment))
        {
            await OpenAiError.ModelNotFound(request.Model).WriteAsync(context.Response);
            return;
        }

        var options = new ChatOptions();
        if (request.Qualifier is not null)
        {
            options.WithQualifier(request.Qualifier);
        }

        if (request.RuntimeSessionId is not null)
        {
            options.WithRuntimeSessionId(request.RuntimeSessionId);
        }

        IChatClient client = services.GetRequiredKeyedService<IChatClient>(deployment);
        string id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        long created = time.GetUtcNow().ToUnixTimeSeconds();
        Outcome outcome;
        int status;
        try
        {
            outcome = request.Stream
                ? await StreamAsync(context, client, request, options, id, created)
                : await CompleteAsync(context, client, request, options, id, created);
            status = context.Response.StatusCode;
        }
        catch (Exception e) when (aborted.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The client hung up: the upstream call was cancelled with it and there is no one to answer. Logged as 499
            // ("client closed request"), so every request has its log line.
            outcome = new Outcome(null, null);
            status = ClientClosedRequest;
        }

        LogRequest(logger, request.Model, deployment, outcome.SessionId, status, clock.Elapsed.TotalMilliseconds, outcome.Usage?.InputTokenCount, outcome.Usage?.OutputTokenCount, request.Stream);
    }

    private async Task<Outcome> CompleteAsync(HttpContext context, IChatClient client, ChatCompletionRequest request, ChatOptions options, string id, long created)
    {
        ChatResponse response;
        try
        {
            response = await client.GetResponseAsync(request.Messages, options, context.RequestAborted);
        }
        catch (Exception e) when (Map(e, context) is { } error)
        {
            await error.WriteAsync(context.Response);
            return new Outcome((e as AgentCoreException)?.SessionId, null);
        }

        var body = new ArrayBufferWriter<byte>();
        ChatCompletionWriter.Completion(body, id, created, request.Model, response);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.Headers[SessionHeader] = response.ConversationId;
        await context.Response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted);
        return new Outcome(response.ConversationId, response.Usage);
    }

    private async Task<Outcome> StreamAsync(HttpContext context, IChatClient client, ChatCompletionRequest request, ChatOptions options, string id, long created)
    {
        HttpResponse http = context.Response;
        CancellationToken aborted = context.RequestAborted;
        IAsyncEnumerator<ChatResponseUpdate> updates = client.GetStreamingResponseAsync(request.Messages, options, aborted).GetAsyncEnumerator(aborted);
        await using (updates)
        {
            // Nothing is committed until the first update: a failure before it is still a real HTTP status.
            bool more;
            try
            {
                more = await updates.MoveNextAsync();
            }
            catch (Exception e) when (Map(e, context) is { } error)
            {
                await error.WriteAsync(http);
                return new Outcome((e as AgentCoreException)?.SessionId, null);
            }

            string? sessionId = more ? updates.Current.ConversationId : null;
            http.StatusCode = StatusCodes.Status200OK;
            http.ContentType = "text/event-stream";
            http.Headers.CacheControl = "no-cache";
            http.Headers[SessionHeader] = sessionId;
            await WriteChunkAsync(http, w => ChatCompletionWriter.Chunk(w, id, created, request.Model, "assistant", string.Empty, null, sessionId), aborted);

            UsageDetails? usage = null;
            ChatFinishReason? finish = null;
            try
            {
                for (; more; more = await updates.MoveNextAsync())
                {
                    ChatResponseUpdate update = updates.Current;
                    finish = update.FinishReason ?? finish;
                    foreach (UsageContent reported in update.Contents.OfType<UsageContent>())
                    {
                        usage ??= new UsageDetails();
                        usage.Add(reported.Details);
                    }

                    if (update.Text.Length > 0)
                    {
                        string text = update.Text;
                        await WriteChunkAsync(http, w => ChatCompletionWriter.Chunk(w, id, created, request.Model, null, text, null, null), aborted);
                    }
                }
            }
            catch (Exception e) when (!aborted.IsCancellationRequested && Map(e, context) is { } error)
            {
                // Mid-stream: the status is sent, so the failure goes into the stream, and the stream ends.
                await WriteChunkAsync(http, w => { using var json = new System.Text.Json.Utf8JsonWriter(w); error.WriteTo(json); }, aborted);
                return new Outcome(sessionId, usage);
            }

            await WriteChunkAsync(http, w => ChatCompletionWriter.Chunk(w, id, created, request.Model, null, null, ChatCompletionWriter.FinishReason(finish), sessionId), aborted);
            if (request.IncludeUsage)
            {
                await WriteChunkAsync(http, w => ChatCompletionWriter.UsageChunk(w, id, created, request.Model, usage), aborted);
            }

            await http.Body.WriteAsync(Done, aborted);
            await http.Body.FlushAsync(aborted);
            return new Outcome(sessionId, usage);
        }
    }

    private static async Task WriteChunkAsync(HttpResponse http, Action<IBufferWriter<byte>> write, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(DataPrefix);
        write(buffer);
        buffer.Write(EventEnd);
        await http.Body.WriteAsync(buffer.WrittenMemory, cancellationToken);
        await http.Body.FlushAsync(cancellationToken);
    }

    /// <summary>The OpenAI error for a failed call; null when the client hung up (nothing to answer).</summary>
    private OpenAiError? Map(Exception e, HttpContext context) => e switch
    {
        _ when context.RequestAborted.IsCancellationRequested => null,
        AgentCoreException agentCore => OpenAiError.From(agentCore),
        ArgumentException or NotSupportedException => OpenAiError.BadRequest(e.Message),
        OperationCanceledException => OpenAiError.Timeout(),

        // Anything else is still an OpenAI error (500, or an error event mid-stream), never an empty answer or a silent end.
        _ => Unexpected(e),
    };

    private OpenAiError Unexpected(Exception e)
    {
        LogUnexpected(logger, e);
        return OpenAiError.Internal(e);
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
        }

        // Read at most one byte past the limit and stop: the 413 is answered while Kestrel (whose own limit has slack, see
        // GatewayApp) can still drain the rest, so the client reads a clean 413 instead of a reset connection.
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
            }
        }

        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "chat.completions model={Model} deployment={Deployment} session={SessionId} status={Status} latency_ms={LatencyMs:F1} input_tokens={InputTokens} output_tokens={OutputTokens} stream={Stream}")]
    private static partial void LogRequest(ILogger logger, string model, string deployment, string? sessionId, int status, double latencyMs, long? inputTokens, long? outputTokens, bool stream);

    [LoggerMessage(Level = LogLevel.Error, Message = "chat.completions failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);

    private sealed record Outcome(string? SessionId, UsageDetails? Usage);
}
