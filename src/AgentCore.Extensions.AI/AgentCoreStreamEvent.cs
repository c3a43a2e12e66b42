// Licensed under the Apache License, Version 2.0.

using System;
using System.Text;

namespace AgentCore.Extensions.AI;

/// <summary>
/// One server-sent event of a streamed agent answer, exactly as it arrived: the <see cref="Microsoft.Extensions.AI.ChatResponseUpdate.RawRepresentation"/>
/// of every streamed update.
/// </summary>
public sealed class AgentCoreStreamEvent
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="eventType">The SSE event type (<c>message</c> when the event named none).</param>
    /// <param name="data">The event's data, UTF-8, with multi-line data joined by <c>\n</c>.</param>
    /// <param name="eventId">The SSE event id, or null.</param>
    public AgentCoreStreamEvent(string eventType, ReadOnlyMemory<byte> data, string? eventId = null)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        EventType = eventType;
        Data = data;
        EventId = eventId;
    }

    /// <summary>Gets the SSE event type: <c>message</c> unless the agent named one (for example <c>error</c>).</summary>
    public string EventType { get; }

    /// <summary>Gets the event's data as UTF-8 bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Gets the SSE event id, or null.</summary>
    public string? EventId { get; }

    /// <summary>Gets the event's data as text.</summary>
    public string DataText => Encoding.UTF8.GetString(Data.Span);

    /// <summary>Returns the event as it would appear on the wire, for diagnostics.</summary>
    /// <returns>The event type and data.</returns>
    public override string ToString() => $"event: {EventType}, data: {DataText}";
}
