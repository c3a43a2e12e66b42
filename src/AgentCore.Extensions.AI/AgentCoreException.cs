// Licensed under the Apache License, Version 2.0.

using System;
using System.Net;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI;

/// <summary>
/// A failure of an AgentCore Runtime invocation: an error answer from the service, an error the agent reported while
/// streaming, or a response that could not be read whole.
/// </summary>
/// <remarks>
/// The message names the error type and status; it never contains credentials, tokens or the request payload.
/// </remarks>
public class AgentCoreException : Exception
{
    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public AgentCoreException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public AgentCoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    public AgentCoreException()
    {
    }

    /// <summary>Gets what kind of failure this is.</summary>
    public AgentCoreErrorKind Kind { get; init; }

    /// <summary>Gets the service's error type (from <c>x-amzn-ErrorType</c> or the body's <c>__type</c>/<c>code</c>, or the agent's <c>error_type</c>), if any.</summary>
    public string? ErrorType { get; init; }

    /// <summary>Gets the HTTP status of the answer, if the service answered.</summary>
    public HttpStatusCode? StatusCode { get => _statusCode; init => _statusCode = value; }

    /// <summary>Gets the service's request id (<c>x-amzn-RequestId</c>), if any.</summary>
    public string? RequestId { get => _requestId; init => _requestId = value; }

    /// <summary>Gets the runtime session id the request used, if known.</summary>
    public string? SessionId { get => _sessionId; init => _sessionId = value; }

    /// <summary>Gets a value indicating whether the same request may succeed if sent again (throttling, conflict, 5xx, network).</summary>
    public bool IsRetryable { get; init; }

    /// <summary>
    /// Gets what had been received before a failure inside a streamed answer, when the failure reached
    /// <see cref="IChatClient.GetResponseAsync"/>; streaming callers already hold those updates.
    /// </summary>
    public ChatResponse? PartialResponse { get => _partialResponse; init => _partialResponse = value; }

    // Errors found while decoding a body are raised where the body is read, which does not know the request; the client
    // adds what it knows as the exception passes, so the original exception (and its stack) reaches the caller.
    private HttpStatusCode? _statusCode;
    private string? _requestId;
    private string? _sessionId;
    private ChatResponse? _partialResponse;

    internal void AddContext(HttpStatusCode statusCode, string? requestId, string? sessionId)
    {
        _statusCode ??= statusCode;
        _requestId ??= requestId;
        _sessionId ??= sessionId;
    }

    internal void AddPartialResponse(ChatResponse partialResponse) => _partialResponse ??= partialResponse;
}
