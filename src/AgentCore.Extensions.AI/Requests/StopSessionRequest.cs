// Licensed under the Apache License, Version 2.0.

using AgentCore.Extensions.AI.Runtime;

namespace AgentCore.Extensions.AI.Requests;

/// <summary>A <c>StopRuntimeSession</c> call.</summary>
/// <param name="Target">The hosted runtime.</param>
/// <param name="SessionId">The session to stop.</param>
/// <param name="Qualifier">The qualifier, or null.</param>
/// <param name="ClientToken">The idempotency token sent in the body.</param>
internal sealed record StopSessionRequest(AgentRuntimeTarget Target, string SessionId, string? Qualifier, string ClientToken);
