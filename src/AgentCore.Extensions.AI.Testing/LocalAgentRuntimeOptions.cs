// Licensed under the Apache License, Version 2.0.

using System;
using Amazon.Runtime;

namespace AgentCore.Extensions.AI.Testing;

/// <summary>Settings of a <see cref="LocalAgentRuntime"/>.</summary>
public sealed class LocalAgentRuntimeOptions
{
    /// <summary>The runtime ARN the data-plane route serves by default.</summary>
    public const string DefaultRuntimeArn = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/local-demo-agent";

    /// <summary>Gets or sets the agent: called once per invocation with what arrived, returns what to answer. Default: <see cref="DemoAgent.Reply"/>.</summary>
    public Func<AgentInvocation, AgentReply> Agent { get; set; } = DemoAgent.Reply;

    /// <summary>Gets or sets the runtime ARN the data-plane route <c>/runtimes/{arn}/invocations</c> serves; other ARNs get 404.</summary>
    public string RuntimeArn { get; set; } = DefaultRuntimeArn;

    /// <summary>
    /// Gets or sets the credentials whose SigV4 signatures the data-plane routes require, or null to accept any request unchecked.
    /// <see cref="LocalAgentRuntime.TestCredentials"/> are the usual choice; a request signed otherwise gets 403 <c>InvalidSignatureException</c>.
    /// </summary>
    public AWSCredentials? VerifySignaturesWith { get; set; }

    /// <summary>Gets or sets the loopback port to listen on; 0 (the default) picks a free one. Ignored in memory.</summary>
    public int Port { get; set; }
}
