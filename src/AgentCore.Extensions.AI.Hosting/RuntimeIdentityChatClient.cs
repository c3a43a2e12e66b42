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
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, WithRuntime(options), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, WithRuntime(options), cancellationToken);

    private ChatOptions WithRuntime(ChatOptions? options)
    {
        string? arn = InnerClient.GetService<ChatClientMetadata>()?.DefaultModelId;
        AgentCoreChatClientOptions? configured = InnerClient.GetService<AgentCoreChatClientOptions>();
        ChatOptions result = options?.Clone() ?? new ChatOptions();
        if (result.ModelId is null || result.ModelId == arn)
        {
            result.ModelId = arn;
            AddIfAbsent(result, AgentCoreAdditionalPropertiesKeys.Qualifier, configured?.Qualifier);

            // A request that names no session gets its session here, not inside the client: the configured one, else a new
            // one. Either way the session is in the cache key, so a cached answer never hands one caller's session (and with
            // it the agent's memory of that conversation) to another; two registrations that differ only in their
            // configured session never share answers either.
            if (result.ConversationId is null)
            {
                AddIfAbsent(
                    result,
                    AgentCoreAdditionalPropertiesKeys.RuntimeSessionId,
                    configured?.RuntimeSessionId ?? (configured?.SessionIdGenerator ?? Runtime.RuntimeSessionId.Generate)());
            }
        }

        return result;
    }

    private static void AddIfAbsent(ChatOptions options, string key, string? value)
    {
        if (value is not null && options.AdditionalProperties?.ContainsKey(key) != true)
        {
            (options.AdditionalProperties ??= [])[key] = value;
        }
    }
}
