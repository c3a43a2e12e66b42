// Licensed under the Apache License, Version 2.0.

using System;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI;

/// <summary>
/// Typed helpers that set the <see cref="AgentCoreAdditionalPropertiesKeys"/> entries of
/// <see cref="ChatOptions.AdditionalProperties"/>. They are sugar only: the values live in the dictionary, where middleware
/// (caching, logging) sees them.
/// </summary>
public static class AgentCoreChatOptionsExtensions
{
    /// <summary>Sets the qualifier (endpoint name or version) for this request.</summary>
    /// <param name="options">The chat options.</param>
    /// <param name="qualifier">The qualifier, for example <c>DEFAULT</c> or <c>production</c>.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    public static ChatOptions WithQualifier(this ChatOptions options, string qualifier) =>
        Set(options, AgentCoreAdditionalPropertiesKeys.Qualifier, qualifier);

    /// <summary>Sets the runtime session id (33 to 256 characters) for this request.</summary>
    /// <param name="options">The chat options.</param>
    /// <param name="sessionId">The session id.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    public static ChatOptions WithRuntimeSessionId(this ChatOptions options, string sessionId) =>
        Set(options, AgentCoreAdditionalPropertiesKeys.RuntimeSessionId, sessionId);

    /// <summary>Sets the end-user id for this request.</summary>
    /// <param name="options">The chat options.</param>
    /// <param name="userId">The user id.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    public static ChatOptions WithRuntimeUserId(this ChatOptions options, string userId) =>
        Set(options, AgentCoreAdditionalPropertiesKeys.RuntimeUserId, userId);

    /// <summary>Sets a raw payload for this request, replacing the one built from the messages.</summary>
    /// <param name="options">The chat options.</param>
    /// <param name="payload">The payload.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    public static ChatOptions WithPayload(this ChatOptions options, AgentCorePayload payload)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(payload);
        (options.AdditionalProperties ??= [])[AgentCoreAdditionalPropertiesKeys.Payload] = payload;
        return options;
    }

    private static ChatOptions Set(ChatOptions options, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        (options.AdditionalProperties ??= [])[key] = value;
        return options;
    }
}
