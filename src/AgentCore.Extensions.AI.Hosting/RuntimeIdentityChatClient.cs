// Licensed under the Apache License, Version 2.0.

using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Hosting;

/// <summary>
/// Makes the runtime and session a request goes to part of the request: <see cref="ChatOptions.ModelId"/> = the runtime ARN,
/// the configured qualifier, and the session (configured or new), when unset. The cache key of <c>DistributedCachingChatClient</c> covers the options but not the
/// client, so without this two runtimes sharing a cache would answer each other's identical prompts.
/// </summary>
internal sealed class RuntimeIdentityChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    // The runtime behind this pipeline never changes: look it up once, not on every request.
    private readonly string? _arn = inner.GetService<ChatClientMetadata>()?.DefaultModelId;
    private readonly AgentCoreChatClientOptions? _configured = inner.GetService<AgentCoreChatClientOptions>();

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, WithRuntime(options), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, WithRuntime(options), cancellationToken);

    private ChatOptions WithRuntime(ChatOptions? options)
    {
        ChatOptions result = options?.Clone() ?? new ChatOptions();
        if (result.ModelId is null || result.ModelId == _arn)
        {
            result.ModelId = _arn;
            if (_configured?.Qualifier is { } qualifier)
            {
                AddIfAbsent(result, AgentCoreAdditionalPropertiesKeys.Qualifier, () => qualifier);
            }

            // A request that names no session gets its session here, not inside the client: the configured one, else a new
            // one. Either way the session is in the cache key, so a cached answer never hands one caller's session (and with
            // it the agent's memory of that conversation) to another; two registrations that differ only in their
            // configured session never share answers either.
            if (result.ConversationId is null && _configured is not null)
            {
                AddIfAbsent(result, AgentCoreAdditionalPropertiesKeys.RuntimeSessionId, () => _configured.RuntimeSessionId ?? _configured.NewSessionId());
            }
        }

        return result;
    }

    // The value is made only when the key is absent: a request that names its session costs no new id.
    private static void AddIfAbsent(ChatOptions options, string key, System.Func<string> value)
    {
        if (options.AdditionalProperties?.ContainsKey(key) != true)
        {
            (options.AdditionalProperties ??= [])[key] = value();
        }
    }
}
