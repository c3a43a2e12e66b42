// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AgentCore.Extensions.AI.Decoding;
using AgentCore.Extensions.AI.Requests;
using AgentCore.Extensions.AI.Runtime;
using AgentCore.Extensions.AI.Transport;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI;

/// <summary>
/// An <see cref="IChatClient"/> that invokes an agent hosted on Amazon Bedrock AgentCore Runtime (or a local agent
/// container) and decodes whatever the agent writes back: JSON, plain text, or a server-sent event stream.
/// </summary>
/// <remarks>
/// <para>
/// Per-request settings are read from <see cref="ChatOptions.AdditionalProperties"/> under the keys in
/// <see cref="AgentCoreAdditionalPropertiesKeys"/>. <see cref="ChatOptions.ModelId"/> may name another runtime (ARN, route or
/// container URL); <see cref="ChatOptions.ConversationId"/> is the runtime session id. Each response and update carries the
/// session id the service used as <see cref="ChatResponse.ConversationId"/>: pass it back to keep talking to the same session.
/// </para>
/// <para>
/// An agent runtime is not a model endpoint: it runs its own model, tools and prompts. So <see cref="ChatOptions"/> settings
/// that configure a model (<c>Temperature</c>, <c>MaxOutputTokens</c>, <c>TopP</c>, <c>TopK</c>, <c>StopSequences</c>,
/// <c>Seed</c>, <c>ResponseFormat</c>, <c>Tools</c>, <c>ToolMode</c>, penalties) are not sent; put them in the payload
/// (<see cref="AgentCoreChatClientOptions.PayloadFactory"/>) if the agent reads them. <c>Instructions</c> is sent with
/// <see cref="AgentCorePayloadFormat.Messages"/> only.
/// </para>
/// <para>
/// Tools the agent runs appear as <see cref="FunctionCallContent"/> with <see cref="FunctionCallContent.InformationalOnly"/>
/// set (so function-invocation middleware does not run them again) and <see cref="FunctionResultContent"/>; reasoning as
/// <see cref="TextReasoningContent"/>; reported usage as <see cref="UsageContent"/>. Stop reasons map as
/// <c>end_turn</c>/<c>stop_sequence</c> → <see cref="ChatFinishReason.Stop"/>, <c>max_tokens</c> → <see cref="ChatFinishReason.Length"/>,
/// <c>tool_use</c> → <see cref="ChatFinishReason.ToolCalls"/>, <c>content_filtered</c>/<c>guardrail_intervened</c> →
/// <see cref="ChatFinishReason.ContentFilter"/>; others pass through.
/// </para>
/// <para>Failures throw <see cref="AgentCoreException"/>; bad arguments throw <see cref="ArgumentException"/> or <see cref="NotSupportedException"/> before anything is sent.</para>
/// </remarks>
public sealed class AgentCoreChatClient : IChatClient
{
    /// <summary>The provider name reported in <see cref="ChatClientMetadata"/> (OpenTelemetry's <c>gen_ai.provider.name</c>).</summary>
    internal const string ProviderName = "aws.bedrock.agentcore";

    private readonly AgentCoreChatClientOptions _options;
    private readonly AgentRuntimeTarget _defaultTarget;
    private readonly HttpClient _httpClient;
    private readonly bool _ownsHttpClient;
    private readonly IAgentCoreTransport _transport;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="httpClient">
    /// The HTTP client to send with, or null to create one. An injected client is never disposed by this instance; give it a
    /// timeout long enough for agents (the client created here waits up to 15 minutes for an answer to start), and set
    /// <c>SocketsHttpHandler.MaxResponseDrainSize = 0</c> on its handler so that an abandoned stream hangs up on the agent at
    /// once instead of reading up to 1 MB (for up to 2 s) of the rest of the answer.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public AgentCoreChatClient(AgentCoreChatClientOptions options, HttpClient? httpClient = null)
        : this(options, httpClient, transport: null)
    {
    }

    internal AgentCoreChatClient(AgentCoreChatClientOptions options, HttpClient? httpClient, IAgentCoreTransport? transport)
    {
        ArgumentNullException.ThrowIfNull(options);
        _defaultTarget = options.ValidateAndParse();
        _options = options;

        _ownsHttpClient = httpClient is null;
        _httpClient = httpClient ?? CreateHttpClient();
        var endpoints = new EndpointResolver(options);
        _transport = transport ?? new HttpAgentCoreTransport(_httpClient, options, endpoints);
        _metadata = new ChatClientMetadata(ProviderName, endpoints.BaseUrl(_defaultTarget), _defaultTarget.ModelId);
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        InvocationRequest request = CreateRequest(messages, options);
        var updates = new List<ChatResponseUpdate>();
        try
        {
            await foreach (ChatResponseUpdate update in InvokeAsync(request, cancellationToken).ConfigureAwait(false))
            {
                updates.Add(update);
            }
        }
        catch (AgentCoreException e) when (updates.Count > 0)
        {
            e.AddPartialResponse(updates.ToChatResponse());
            throw;
        }

        ChatResponse response = updates.ToChatResponse();
        response.RawRepresentation = updates.Count == 1 ? updates[0].RawRepresentation : updates.ConvertAll(static u => u.RawRepresentation);
        response.ConversationId ??= request.SessionId;
        response.ModelId ??= request.Target.ModelId;
        return response;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Validate now, so bad input fails at the call and not at the first MoveNextAsync.
        InvocationRequest request = CreateRequest(messages, options);
        return InvokeAsync(request, cancellationToken);
    }

    /// <summary>
    /// Stops a runtime session (<c>StopRuntimeSession</c>), ending its microVM and the agent's in-memory state.
    /// </summary>
    /// <param name="sessionId">The session to stop: the <see cref="ChatResponse.ConversationId"/> of an earlier answer.</param>
    /// <param name="qualifier">The qualifier, or null for <see cref="AgentCoreChatClientOptions.Qualifier"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service has accepted the request.</returns>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is not 33 to 256 characters.</exception>
    /// <exception cref="InvalidOperationException">The client targets a local agent container, which has no sessions to stop.</exception>
    /// <exception cref="AgentCoreException">The service answered with an error.</exception>
    public Task StopRuntimeSessionAsync(string sessionId, string? qualifier = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        RuntimeSessionId.Validate(sessionId, nameof(sessionId));
        if (_defaultTarget.IsContainer)
        {
            throw new InvalidOperationException("StopRuntimeSession is a data-plane operation: a local agent container (RuntimeArn given as a URL) has no sessions to stop.");
        }

        return _transport.StopSessionAsync(
            new StopSessionRequest(_defaultTarget, sessionId, qualifier ?? _options.Qualifier, Guid.NewGuid().ToString("D")),
            cancellationToken);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null :
            serviceType == typeof(ChatClientMetadata) ? _metadata :
            serviceType == typeof(AgentCoreChatClientOptions) ? _options :
            serviceType.IsInstanceOfType(_httpClient) ? _httpClient :
            serviceType.IsInstanceOfType(this) ? this :
            null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttpClient)
        {
            _httpClient.Dispose();
        }
    }

    /// <summary>Returns the runtime this client calls; never credentials.</summary>
    /// <returns>A description for logs.</returns>
    public override string ToString() => $"{nameof(AgentCoreChatClient)}({_defaultTarget.ModelId})";

    private async IAsyncEnumerable<ChatResponseUpdate> InvokeAsync(InvocationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        InvocationResponse response = await _transport.InvokeAsync(request, cancellationToken).ConfigureAwait(false);

        // Disposing the response closes a connection whose body was not read to the end: a caller that stops reading or
        // cancels hangs up on the agent at once.
        await using (response.ConfigureAwait(false))
        {
            var metadata = new ResponseMetadata(
                response.RequestId ?? Guid.NewGuid().ToString("N"),
                response.SessionId ?? request.SessionId,
                request.Target.ModelId,
                _options.TimeProvider.GetUtcNow());

            IAsyncEnumerator<ChatResponseUpdate> updates = ResponseDecoder
                .DecodeAsync(response.Body, response.ContentType, metadata, cancellationToken)
                .GetAsyncEnumerator(cancellationToken);
            await using ConfiguredAsyncDisposable disposeUpdates = updates.ConfigureAwait(false);
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (AgentCoreException e)
                {
                    e.AddContext(HttpStatusCode.OK, response.RequestId, metadata.ConversationId);
                    throw;
                }
                catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                {
                    // A body cut short is a failure, never a shorter answer.
                    throw new AgentCoreException($"The agent's answer ended before it was complete: {e.Message}", e)
                    {
                        Kind = AgentCoreErrorKind.ResponseTruncated,
                        StatusCode = HttpStatusCode.OK,
                        RequestId = response.RequestId,
                        SessionId = metadata.ConversationId,
                    };
                }

                yield return updates.Current;
            }
        }
    }

    private InvocationRequest CreateRequest(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        IReadOnlyList<ChatMessage> list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();

        AgentRuntimeTarget target = _defaultTarget;
        if (options?.ModelId is { } modelId && !string.Equals(modelId, _defaultTarget.ModelId, StringComparison.Ordinal))
        {
            target = AgentRuntimeTarget.Parse(modelId, "ChatOptions.ModelId");
        }

        string? qualifier = ChatOptionsReader.GetString(options, AgentCoreAdditionalPropertiesKeys.Qualifier)
            ?? (ReferenceEquals(target, _defaultTarget) ? _options.Qualifier : null);

        string sessionId;
        if (ChatOptionsReader.GetString(options, AgentCoreAdditionalPropertiesKeys.RuntimeSessionId) is { } explicitSession)
        {
            sessionId = RuntimeSessionId.Validate(explicitSession, $"ChatOptions.AdditionalProperties[\"{AgentCoreAdditionalPropertiesKeys.RuntimeSessionId}\"]");
        }
        else if (options?.ConversationId is { } conversationId)
        {
            sessionId = RuntimeSessionId.Validate(conversationId, "ChatOptions.ConversationId");
        }
        else if (_options.RuntimeSessionId is { } configuredSession)
        {
            sessionId = configuredSession;
        }
        else
        {
            sessionId = _options.NewSessionId();
        }

        object? rawRepresentation = options?.RawRepresentationFactory?.Invoke(this);
        return new InvocationRequest(
            target,
            PayloadBuilder.Build(list, options, rawRepresentation, _options),
            sessionId,
            qualifier,
            ChatOptionsReader.GetString(options, AgentCoreAdditionalPropertiesKeys.AccountId),
            ChatOptionsReader.GetHeaders(options),
            ChatOptionsReader.GetString(options, AgentCoreAdditionalPropertiesKeys.TraceId));
    }

    private static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler
        {
            // An abandoned stream must hang up on the agent, not read the rest of its answer to reuse the connection.
            MaxResponseDrainSize = 0,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            // AgentCore's synchronous invocations may run for 15 minutes; streams run longer but only headers are timed.
            Timeout = TimeSpan.FromMinutes(15),
        };
}
