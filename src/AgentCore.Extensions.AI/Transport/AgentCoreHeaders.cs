// Licensed under the Apache License, Version 2.0.

namespace AgentCore.Extensions.AI.Transport;

/// <summary>The HTTP header names of the AgentCore Runtime data plane and agent container contract.</summary>
internal static class AgentCoreHeaders
{
    public const string SessionId = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id";
    public const string UserId = "X-Amzn-Bedrock-AgentCore-Runtime-User-Id";
    public const string RequestId = "x-amzn-RequestId";
    public const string ErrorType = "x-amzn-ErrorType";
    public const string TraceId = "X-Amzn-Trace-Id";
    public const string McpSessionId = "Mcp-Session-Id";
    public const string McpProtocolVersion = "Mcp-Protocol-Version";
    public const string McpMethod = "Mcp-Method";
    public const string McpName = "Mcp-Name";
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>What every invocation accepts: agents stream only when SSE is accepted, so both are always asked for and the answer's own Content-Type decides.</summary>
    public const string Accept = "application/json, text/event-stream";
}
