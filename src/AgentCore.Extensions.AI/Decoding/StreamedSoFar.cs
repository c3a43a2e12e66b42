// Licensed under the Apache License, Version 2.0.

using System.Collections.Generic;

namespace AgentCore.Extensions.AI.Decoding;

/// <summary>
/// What a stream has already delivered as deltas, so a whole <c>{"message": ...}</c> that follows (Strands sends both)
/// does not repeat it.
/// </summary>
internal sealed class StreamedSoFar
{
    /// <summary>Gets or sets a value indicating whether text deltas arrived since the last whole message.</summary>
    public bool Text { get; set; }

    /// <summary>Gets or sets a value indicating whether reasoning deltas arrived since the last whole message.</summary>
    public bool Reasoning { get; set; }

    /// <summary>Gets the ids of tool calls already emitted.</summary>
    public HashSet<string> ToolCallIds { get; } = [];

    /// <summary>Starts a new message: text and reasoning deltas from now on belong to it.</summary>
    public void NextMessage()
    {
        Text = false;
        Reasoning = false;
    }
}
