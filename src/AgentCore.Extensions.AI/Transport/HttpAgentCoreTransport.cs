// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AgentCore.Extensions.AI.Requests;
using AgentCore.Extensions.AI.Runtime;

namespace AgentCore.Extensions.AI.Transport;

/// <summary>
/// Speaks AgentCore over <see cref="HttpClient"/>: the SigV4-signed data plane, the same with an OAuth bearer token, or a
/// local agent container's unsigned <c>/invocations</c>. The one place where retries happen.
/// </summary>
internal sealed class HttpAgentCoreTransport : IAgentCoreTransport
{
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    private readonly HttpClient _httpClient;
    private readonly SigV4RequestSigner _signer;
    private readonly Func<CancellationToken, ValueTask<string>>? _bearerTokenProvider;
    private readonly EndpointResolver _endpoints;
    private readonly int _maxAttempts;
    private readonly TimeSpan _retryBaseDelay;
    private readonly TimeProvider _timeProvider;

    public HttpAgentCoreTransport(HttpClient httpClient, AgentCoreChatClientOptions options, EndpointResolver endpoints)
    {
        _httpClient = httpClient;
        _signer = new SigV4RequestSigner(options.Credentials, options.Profile, options.ProfilesLocation, options.TimeProvider);
        _bearerTokenProvider = options.BearerTokenProvider;
        _endpoints = endpoints;
        _maxAttempts = options.MaxAttempts;
        _retryBaseDelay = options.RetryBaseDelay;
        _timeProvider = options.TimeProvider;
    }

    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        byte[] body = ExactArray(request.Payload.Content);
        Uri url = request.Target.ContainerUrl is { } container
            ? AgentCoreEndpoints.Container(container, "invocations")
            : AgentCoreEndpoints.Runtime(_endpoints.BaseUrl(request.Target), request.Target.Arn!, "invocations", request.Qualifier, request.AccountId);

        HttpResponseMessage response = await SendWithRetriesAsync(
            () =>
            {
                var message = new HttpRequestMessage(HttpMethod.Post, url);
                message.Headers.TryAddWithoutValidation("Accept", AgentCoreHeaders.Accept);
                message.Headers.TryAddWithoutValidation(AgentCoreHeaders.SessionId, request.SessionId);
                foreach (KeyValuePair<string, string> header in request.Headers)
                {
                    message.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                message.Content = new ByteArrayContent(body);
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.Payload.ContentType);
                return message;
            },
            body,
            request.Target,
            request.SessionId,
            request.TraceId,
            cancellationToken).ConfigureAwait(false);

        try
        {
            Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new InvocationResponse(
                stream,
                response.Content.Headers.ContentType?.MediaType,
                ServiceErrorMapper.FirstHeader(response, AgentCoreHeaders.SessionId),
                ServiceErrorMapper.FirstHeader(response, AgentCoreHeaders.RequestId),
                response,
                response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task StopSessionAsync(StopSessionRequest request, CancellationToken cancellationToken)
    {
        byte[] body = Encoding.UTF8.GetBytes($"{{\"clientToken\":\"{request.ClientToken}\"}}");
        Uri url = AgentCoreEndpoints.Runtime(_endpoints.BaseUrl(request.Target), request.Target.Arn!, "stopruntimesession", request.Qualifier, accountId: null);
        using HttpResponseMessage response = await SendWithRetriesAsync(
            () =>
            {
                var message = new HttpRequestMessage(HttpMethod.Post, url);
                message.Headers.TryAddWithoutValidation("Accept", "application/json");
                message.Headers.TryAddWithoutValidation(AgentCoreHeaders.SessionId, request.SessionId);
                message.Content = new ByteArrayContent(body);
                message.Content.Headers.ContentType = new MediaTypeHeaderValue(AgentCorePayload.JsonContentType);
                return message;
            },
            body,
            request.Target,
            request.SessionId,
            traceId: null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a freshly built and signed request per attempt and returns the first successful answer with its body unread.
    /// Error answers are read (bounded) and mapped; retryable ones are retried with jittered exponential backoff.
    /// </summary>
    private async Task<HttpResponseMessage> SendWithRetriesAsync(
        Func<HttpRequestMessage> createRequest,
        byte[] body,
        AgentRuntimeTarget target,
        string sessionId,
        string? traceId,
        CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            (HttpResponseMessage? response, AgentCoreException? failure, TimeSpan? retryAfter) =
                await SendOnceAsync(createRequest, body, target, sessionId, traceId, cancellationToken).ConfigureAwait(false);
            if (response is not null)
            {
                return response;
            }

            if (!failure!.IsRetryable || attempt >= _maxAttempts)
            {
                throw failure;
            }

            await Task.Delay(Backoff(attempt, retryAfter), _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One attempt: a successful answer (body unread), or the failure it mapped to and any Retry-After hint.</summary>
    private async Task<(HttpResponseMessage? Response, AgentCoreException? Failure, TimeSpan? RetryAfter)> SendOnceAsync(
        Func<HttpRequestMessage> createRequest,
        byte[] body,
        AgentRuntimeTarget target,
        string sessionId,
        string? traceId,
        CancellationToken cancellationToken)
    {
        using HttpRequestMessage message = createRequest();
        await AuthenticateAsync(message, body, target, cancellationToken).ConfigureAwait(false);
        AddTracing(message, traceId);

        HttpResponseMessage response;
        try
        {
            response = await _httpClient.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, ServiceErrorMapper.Network(e, sessionId), null);
        }

        if (response.IsSuccessStatusCode)
        {
            return (response, null, null);
        }

        using (response)
        {
            AgentCoreException failure = await ReadErrorAsync(response, sessionId, target.IsContainer, cancellationToken).ConfigureAwait(false);
            return (null, failure, response.Headers.RetryAfter?.Delta);
        }
    }

    private async Task AuthenticateAsync(HttpRequestMessage message, byte[] body, AgentRuntimeTarget target, CancellationToken cancellationToken)
    {
        if (_bearerTokenProvider is not null)
        {
            string token = await _bearerTokenProvider(cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrWhiteSpace(token))
            {
                throw new InvalidOperationException("AgentCoreChatClientOptions.BearerTokenProvider returned an empty token.");
            }

            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (!target.IsContainer)
        {
            await _signer.SignAsync(message, body, target.Region!, cancellationToken).ConfigureAwait(false);
        }
    }

    // Tracing headers go on after signing: proxies and the service treat them as hop metadata, and the AWS SDKs never sign them.
    private static void AddTracing(HttpRequestMessage message, string? traceId)
    {
        AddIfSet(message, AgentCoreHeaders.TraceId, traceId);
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity)
        {
            message.Headers.TryAddWithoutValidation(AgentCoreHeaders.TraceParent, activity.Id);
            AddIfSet(message, AgentCoreHeaders.TraceState, activity.TraceStateString);
        }
    }

    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        // Equal jitter: half the exponential delay is fixed, half random, so retries from many clients spread out.
        double exponential = _retryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var delay = TimeSpan.FromMilliseconds((exponential / 2) + (Random.Shared.NextDouble() * exponential / 2));
        if (retryAfter is { } hint && hint > delay)
        {
            delay = hint < MaxRetryAfter ? hint : MaxRetryAfter;
        }

        return delay;
    }

    private static async Task<AgentCoreException> ReadErrorAsync(HttpResponseMessage response, string sessionId, bool fromContainer, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[ServiceErrorMapper.MaxErrorBodyBytes];
        int length = 0;
        bool cut = false;
        try
        {
            Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                int read;
                while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }

                cut = length == buffer.Length && await stream.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) > 0;
            }
        }
        catch (IOException)
        {
            // The status and headers already say what failed; a broken error body must not hide them.
        }
        catch (HttpRequestException)
        {
        }

        return ServiceErrorMapper.Map(
            response.StatusCode,
            ServiceErrorMapper.FirstHeader(response, AgentCoreHeaders.ErrorType),
            buffer.AsSpan(0, length),
            cut,
            ServiceErrorMapper.FirstHeader(response, AgentCoreHeaders.RequestId),
            ServiceErrorMapper.FirstHeader(response, AgentCoreHeaders.SessionId) ?? sessionId,
            fromContainer);
    }

    private static void AddIfSet(HttpRequestMessage message, string name, string? value)
    {
        if (value is not null)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
    }

    // The signer hashes a byte[]; make it once per call (not per attempt), without a copy when the payload is a whole array.
    private static byte[] ExactArray(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out ArraySegment<byte> segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : memory.ToArray();
}
