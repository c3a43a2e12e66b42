// Licensed under the Apache License, Version 2.0.

using System.Collections.Generic;
using AgentCore.Extensions.AI.Runtime;

namespace AgentCore.Extensions.AI.Requests;

/// <summary>Everything one invocation sends, resolved and validated before anything goes on the wire.</summary>
/// <param name="Target">The runtime or container to call.</param>
/// <param name="Payload">The body and its media type.</param>
/// <param name="SessionId">The runtime session id (always set: given or generated).</param>
/// <param name="Qualifier">The qualifier, or null.</param>
/// <param name="AccountId">The runtime owner's account id, or null.</param>
/// <param name="Headers">The optional per-request headers (user id, MCP headers), signed with the rest.</param>
/// <param name="TraceId">An X-Ray trace header, or null; sent unsigned.</param>
internal sealed record InvocationRequest(
    AgentRuntimeTarget Target,
    AgentCorePayload Payload,
    string SessionId,
    string? Qualifier,
    string? AccountId,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string? TraceId);
