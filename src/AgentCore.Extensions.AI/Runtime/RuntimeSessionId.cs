// Licensed under the Apache License, Version 2.0.

using System;

namespace AgentCore.Extensions.AI.Runtime;

/// <summary>The rules of AgentCore runtime session ids.</summary>
internal static class RuntimeSessionId
{
    /// <summary>The shortest id the service accepts.</summary>
    public const int MinLength = 33;

    /// <summary>The longest id the service accepts.</summary>
    public const int MaxLength = 256;

    /// <summary>Generates an unguessable id: a fixed prefix and a random (v4) GUID, 54 characters.</summary>
    /// <returns>A new session id.</returns>
    public static string Generate() => "agentcore-session-" + Guid.NewGuid().ToString("D");

    /// <summary>Checks an id's length and characters, naming the setting it came from.</summary>
    /// <param name="sessionId">The id.</param>
    /// <param name="settingName">Where it came from, named in errors.</param>
    /// <returns>The id.</returns>
    /// <exception cref="ArgumentException">The id is too short, too long or has characters a header cannot carry.</exception>
    public static string Validate(string sessionId, string settingName)
    {
        if (sessionId.Length is < MinLength or > MaxLength)
        {
            throw new ArgumentException(
                $"{settingName} must be {MinLength} to {MaxLength} characters long, but has {sessionId.Length}. " +
                "Use a longer id (for example a GUID with a prefix), or leave it unset and one is generated.",
                settingName);
        }

        foreach (char c in sessionId)
        {
            if (c is < '!' or > '~')
            {
                throw new ArgumentException($"{settingName} may contain only visible ASCII characters (it travels in an HTTP header).", settingName);
            }
        }

        return sessionId;
    }
}
