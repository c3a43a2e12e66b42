// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using AgentCore.Extensions.AI.Runtime;
using Amazon.Runtime;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI;

/// <summary>Settings of an <see cref="AgentCoreChatClient"/>. Bindable from configuration (all simple settings are strings, booleans or numbers).</summary>
public sealed class AgentCoreChatClientOptions
{
    /// <summary>
    /// Gets or sets the agent runtime to call: an ARN (<c>arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/my-agent</c>),
    /// LiteLLM's route (<c>bedrock/agentcore/{ARN}</c>), or the URL of a local agent container
    /// (<c>http://localhost:8080</c>, called on <c>/invocations</c> without signing). Required.
    /// </summary>
    public string? RuntimeArn { get; set; }

    /// <summary>Gets or sets the default qualifier (endpoint name or version, e.g. <c>DEFAULT</c>) for <see cref="RuntimeArn"/>. Optional.</summary>
    public string? Qualifier { get; set; }

    /// <summary>
    /// Gets or sets the AWS region. Optional: the region is the ARN's. When set it must equal the ARN's region, which
    /// catches a runtime configured for the wrong region before any call.
    /// </summary>
    public string? Region { get; set; }

    /// <summary>
    /// Gets or sets the AWS credentials that sign requests. Default: the credentials of <see cref="Profile"/> when set, else
    /// AWSSDK.Core's default credential chain (environment, profile, SSO, web identity, container and instance roles),
    /// resolved at the first call.
    /// </summary>
    public AWSCredentials? Credentials { get; set; }

    /// <summary>
    /// Gets or sets the AWS profile (in the shared config and credentials files) whose credentials sign requests, when
    /// <see cref="Credentials"/> is not set. Read with AWSSDK.Core's profile store at the first call.
    /// </summary>
    public string? Profile { get; set; }

    /// <summary>
    /// Gets or sets the shared credentials file that <see cref="Profile"/> is read from. Default: the AWS SDK's
    /// (<c>AWS_SHARED_CREDENTIALS_FILE</c>, else <c>~/.aws/credentials</c>, and <c>~/.aws/config</c>).
    /// </summary>
    public string? ProfilesLocation { get; set; }

    /// <summary>
    /// Gets or sets the data-plane endpoint, overriding the regional one: a VPC endpoint, a proxy or a test server.
    /// Requests to it are still the signed data-plane protocol (<c>/runtimes/{arn}/invocations</c>), even on loopback.
    /// Default: <c>AWS_ENDPOINT_URL_BEDROCK_AGENTCORE</c> or <c>AWS_ENDPOINT_URL</c> from the environment, as the AWS SDKs read them;
    /// else the regional endpoint.
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets a value indicating whether to call the FIPS endpoint (<c>bedrock-agentcore-fips.{region}.amazonaws.com</c>). Also on when <c>AWS_USE_FIPS_ENDPOINT=true</c>.</summary>
    public bool UseFipsEndpoint { get; set; }

    /// <summary>Gets or sets a value indicating whether to call the dual-stack endpoint (<c>bedrock-agentcore.{region}.api.aws</c>). Also on when <c>AWS_USE_DUALSTACK_ENDPOINT=true</c>.</summary>
    public bool UseDualStackEndpoint { get; set; }

    /// <summary>
    /// Gets or sets a provider of OAuth bearer tokens, for runtimes configured for inbound JWT auth. When set, requests carry
    /// <c>Authorization: Bearer &lt;token&gt;</c> and are not SigV4-signed. Called once per attempt, so it may refresh tokens.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? BearerTokenProvider { get; set; }

    /// <summary>Gets or sets how chat messages become the payload. Default: <see cref="AgentCorePayloadFormat.Prompt"/>.</summary>
    public AgentCorePayloadFormat PayloadFormat { get; set; } = AgentCorePayloadFormat.Prompt;

    /// <summary>
    /// Gets or sets a delegate that builds the payload itself, for agents with their own schema. Takes precedence over
    /// <see cref="PayloadFormat"/>; a per-request payload (<see cref="AgentCoreAdditionalPropertiesKeys.Payload"/> or
    /// <c>ChatOptions.RawRepresentationFactory</c>) takes precedence over it.
    /// </summary>
    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, AgentCorePayload>? PayloadFactory { get; set; }

    /// <summary>
    /// Gets or sets the session id used when a request names none (LiteLLM's <c>runtimeSessionId</c> as a default): 33 to 256
    /// characters. Default: none, so each conversation gets a generated id.
    /// </summary>
    public string? RuntimeSessionId { get; set; }

    /// <summary>
    /// Gets or sets the generator of session ids used when a request names none. It must return 33 to 256 characters.
    /// Default: <c>agentcore-session-</c> followed by a random GUID (54 characters, 122 random bits).
    /// </summary>
    public Func<string>? SessionIdGenerator { get; set; }

    /// <summary>
    /// Gets or sets how many attempts a request gets when the service answers with a retryable error (throttling, conflict,
    /// 5xx) or cannot be reached. Default 3; 1 disables retries. Nothing is retried once any of the body has been handed out.
    /// </summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Gets or sets the base delay of the jittered exponential backoff between attempts. Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets the clock used for signing times, timestamps and backoff delays. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks the settings as the client does when it is created.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it and says how to fix it.</exception>
    public void Validate() => ValidateAndParse();

    /// <summary>Returns the runtime and the non-secret settings; credentials and token providers are never shown.</summary>
    /// <returns>A description for logs.</returns>
    public override string ToString() =>
        $"RuntimeArn = {RuntimeArn}, Qualifier = {Qualifier}, Region = {Region}, Endpoint = {Endpoint}, " +
        $"Auth = {(BearerTokenProvider is not null ? "bearer token" : Credentials is not null ? "explicit credentials" : Profile is not null ? $"profile {Profile}" : "default credentials")}, " +
        $"PayloadFormat = {(PayloadFactory is not null ? "custom" : PayloadFormat.ToString())}";

    /// <summary>A new session id from <see cref="SessionIdGenerator"/> (or the default generator), checked against the session rules.</summary>
    internal string NewSessionId() =>
        Runtime.RuntimeSessionId.Validate((SessionIdGenerator ?? Runtime.RuntimeSessionId.Generate)(), "AgentCoreChatClientOptions.SessionIdGenerator's result");

    /// <summary>A shallow copy, so a host can fill in defaults without changing options that others share.</summary>
    internal AgentCoreChatClientOptions Clone() => (AgentCoreChatClientOptions)MemberwiseClone();

    internal AgentRuntimeTarget ValidateAndParse()
    {
        AgentRuntimeTarget target = AgentRuntimeTarget.Parse(RuntimeArn, "AgentCoreChatClientOptions.RuntimeArn");

        if (!string.IsNullOrWhiteSpace(Region) && target.Region is not null && !string.Equals(Region, target.Region, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"AgentCoreChatClientOptions.Region is '{Region}' but the runtime ARN is in '{target.Region}': a runtime is called in its own region. Remove Region or fix the ARN.",
                nameof(AgentCoreChatClientOptions));
        }

        if (Endpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https")))
        {
            throw new ArgumentException($"AgentCoreChatClientOptions.Endpoint '{endpoint}' must be an absolute http(s) URL.", nameof(AgentCoreChatClientOptions));
        }

        if (Endpoint is not null && target.IsContainer)
        {
            throw new ArgumentException("AgentCoreChatClientOptions.Endpoint overrides the data-plane endpoint of a runtime ARN; with a container URL in RuntimeArn it has no meaning. Set one of the two.", nameof(AgentCoreChatClientOptions));
        }

        if (UseFipsEndpoint && Endpoint is not null)
        {
            throw new ArgumentException("AgentCoreChatClientOptions.UseFipsEndpoint cannot apply when Endpoint overrides the endpoint. Set one of the two.", nameof(AgentCoreChatClientOptions));
        }

        if (MaxAttempts < 1)
        {
            throw new ArgumentException($"AgentCoreChatClientOptions.MaxAttempts must be at least 1 (1 means no retries), but is {MaxAttempts}.", nameof(AgentCoreChatClientOptions));
        }

        if (RetryBaseDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("AgentCoreChatClientOptions.RetryBaseDelay must not be negative.", nameof(AgentCoreChatClientOptions));
        }

        if (TimeProvider is null)
        {
            throw new ArgumentException("AgentCoreChatClientOptions.TimeProvider must not be null: leave it at TimeProvider.System.", nameof(AgentCoreChatClientOptions));
        }

        if (Qualifier is { } qualifier && string.IsNullOrWhiteSpace(qualifier))
        {
            throw new ArgumentException("AgentCoreChatClientOptions.Qualifier is empty: give an endpoint name such as DEFAULT, or leave it null.", nameof(AgentCoreChatClientOptions));
        }

        if (RuntimeSessionId is { } sessionId)
        {
            Runtime.RuntimeSessionId.Validate(sessionId, "AgentCoreChatClientOptions.RuntimeSessionId");
        }

        return target;
    }
}
