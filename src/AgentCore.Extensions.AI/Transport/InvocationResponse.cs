// Licensed under the Apache License, Version 2.0.

using System;
using System.IO;
using System.Threading.Tasks;

namespace AgentCore.Extensions.AI.Transport;

/// <summary>
/// A successful answer whose headers have arrived and whose body is still on the wire. Disposing it closes the
/// connection if the body was not read to the end.
/// </summary>
internal sealed class InvocationResponse : IAsyncDisposable
{
    private readonly IDisposable? _owner;

    public InvocationResponse(Stream body, string? contentType, string? sessionId, string? requestId, object? rawRepresentation, IDisposable? owner)
    {
        Body = body;
        ContentType = contentType;
        SessionId = sessionId;
        RequestId = requestId;
        RawRepresentation = rawRepresentation;
        _owner = owner;
    }

    /// <summary>Gets the body stream, read as it arrives.</summary>
    public Stream Body { get; }

    /// <summary>Gets the media type of the body (without parameters), or null.</summary>
    public string? ContentType { get; }

    /// <summary>Gets the session id the service used (its response header), or null when the runtime did not echo one.</summary>
    public string? SessionId { get; }

    /// <summary>Gets the service's request id, or null.</summary>
    public string? RequestId { get; }

    /// <summary>Gets the transport's own response object (an <c>HttpResponseMessage</c>), for diagnostics.</summary>
    public object? RawRepresentation { get; }

    public async ValueTask DisposeAsync()
    {
        await Body.DisposeAsync().ConfigureAwait(false);
        _owner?.Dispose();
    }
}
