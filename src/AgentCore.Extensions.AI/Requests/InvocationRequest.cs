// Licensed under the Apache License, Version 2.0.

using AgentCore.Extensions.AI.Runtime;

namespace AgentCore.Extensions.AI.Requests;

/// <summary>Everything one invocation sends, resolved and validated before anything goes on the wire.</summary>
/// <param name="Target">The runtime or container to call.</param>
/// <param name="Payload">The body and its media type.</param>
/// <param name="SessionId">The runtime session id (always set: given or generated).</param>
/// <param name="Qualifier">The qualifier, or null.</param>
/// <param name="UserId">The end-user id, or null.</param>
/// <param name="AccountId">The runtime owner's account id, or null.</param>
/// <param name="TraceId">An X-Ray trace header, or null.</param>
/// <param name="McpSessionId">An MCP session id, or null.</param>
/// <param name="McpProtocolVersion">An MCP protocol version, or null.</param>
internal sealed record InvocationRequest(
    AgentRuntimeTarget Target,
    AgentCorePayload Payload,
    string SessionId,
    string? Qualifier,
    string? UserId,
    string? AccountId,
    string? TraceId,
    string? McpSessionId,
    string? McpProtocolVersion);
