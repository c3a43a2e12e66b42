// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace AgentCore.Extensions.AI.Testing;

/// <summary>
/// The demo agent of the embedded runtime: deterministic, no model, no AWS. It says what it is, which turn of which session
/// this is and what was asked before (so session continuity is visible), streams its answer word by word as Strands
/// events, and reports usage counted in words.
/// </summary>
public static partial class DemoAgent
{
    /// <summary>The pause before each streamed word, so streaming is visible to a person.</summary>
    public static readonly TimeSpan WordDelay = TimeSpan.FromMilliseconds(20);

    /// <summary>Answers an invocation: <see cref="Answer"/> streamed word by word with usage.</summary>
    /// <param name="invocation">The invocation.</param>
    /// <returns>The reply.</returns>
    public static AgentReply Reply(AgentInvocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        string answer = Answer(invocation);
        List<string> words = SplitKeepingSpaces(answer);
        return AgentReply.StrandsEvents(words, (CountWords(invocation.Prompt ?? invocation.PayloadText), words.Count), WordDelay);
    }

    /// <summary>The text the demo agent answers to an invocation.</summary>
    /// <param name="invocation">The invocation.</param>
    /// <returns>The answer.</returns>
    public static string Answer(AgentInvocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var text = new StringBuilder("I am the local demo agent of AgentCore.Extensions.AI, running in-process with no model and no AWS account, so I cannot really answer; I can show you how a session works. ");
        text.Append(invocation.Prompt is { } prompt ? $"You asked: \"{prompt}\". " : $"Your payload was: {invocation.PayloadText} ");
        text.Append(CultureInfo.InvariantCulture, $"This is turn {invocation.TurnNumber} of session {invocation.SessionId}.");
        string[] earlier = invocation.History.Select(static t => t.Prompt).OfType<string>().ToArray();
        if (earlier.Length > 0)
        {
            text.Append(" Earlier in this session you asked: ").Append(string.Join("; ", earlier.Select(static p => $"\"{p}\""))).Append('.');
        }

        text.Append(" To talk to your own agent, pass --runtime with its ARN or set AGENTCORE_RUNTIME_ARN.");
        return text.ToString();
    }

    private static List<string> SplitKeepingSpaces(string text) => [.. WordWithTrailingSpace().Matches(text).Select(static m => m.Value)];

    private static int CountWords(string text) => WordWithTrailingSpace().Count(text.Trim());

    [GeneratedRegex(@"\S+\s*")]
    private static partial Regex WordWithTrailingSpace();
}
