// Licensed under the Apache License, Version 2.0.

namespace AgentCore.Extensions.AI;

/// <summary>
/// The keys of <see cref="Microsoft.Extensions.AI.ChatOptions.AdditionalProperties"/> that
/// <see cref="AgentCoreChatClient"/> reads for one request.
/// </summary>
/// <remarks>
/// <para>
/// Values may be a <see cref="string"/> or a <see cref="System.Text.Json.JsonElement"/> holding a string
/// (Semantic Kernel and cached <c>ChatOptions</c> pass <c>JsonElement</c>). Keys are matched exactly as written
/// here first and then case-insensitively, so LiteLLM's spelling (<c>runtimeSessionId</c>) and
/// <c>RuntimeSessionId</c> both work.
/// </para>
/// <para>
/// The settings travel in the dictionary, not in a side channel, so middleware that serialises
/// <c>ChatOptions</c> (for example the distributed cache key) sees every one of them.
/// </para>
/// </remarks>
public static class AgentCoreAdditionalPropertiesKeys
{
    /// <summary>The runtime endpoint name or version to invoke (LiteLLM's <c>qualifier</c>), for example <c>DEFAULT</c> or <c>production</c>.</summary>
    public const string Qualifier = "qualifier";

    /// <summary>
    /// The runtime session id (LiteLLM's <c>runtimeSessionId</c>): 33 to 256 characters. The same id reaches the same
    /// microVM and agent memory. Takes precedence over <see cref="Microsoft.Extensions.AI.ChatOptions.ConversationId"/>.
    /// </summary>
    public const string RuntimeSessionId = "runtimeSessionId";

    /// <summary>The end-user id sent as <c>X-Amzn-Bedrock-AgentCore-Runtime-User-Id</c> (needs the <c>InvokeAgentRuntimeForUser</c> permission).</summary>
    public const string RuntimeUserId = "runtimeUserId";

    /// <summary>The account id of the runtime's owner, sent as the <c>accountId</c> query parameter.</summary>
    public const string AccountId = "accountId";

    /// <summary>An AWS X-Ray trace header value, sent as <c>X-Amzn-Trace-Id</c>.</summary>
    public const string TraceId = "traceId";

    /// <summary>The MCP session id, sent as <c>Mcp-Session-Id</c>, for runtimes that speak the MCP protocol.</summary>
    public const string McpSessionId = "mcpSessionId";

    /// <summary>The MCP protocol version, sent as <c>Mcp-Protocol-Version</c>, for runtimes that speak the MCP protocol.</summary>
    public const string McpProtocolVersion = "mcpProtocolVersion";

    /// <summary>The MCP method, sent as <c>Mcp-Method</c>, for runtimes that speak the MCP protocol.</summary>
    public const string McpMethod = "mcpMethod";

    /// <summary>The MCP tool or resource name, sent as <c>Mcp-Name</c>, for runtimes that speak the MCP protocol.</summary>
    public const string McpName = "mcpName";

    /// <summary>
    /// A raw payload that replaces the one built from the messages, for agents with their own schema.
    /// Accepts an <see cref="AgentCorePayload"/>, a <see cref="System.Text.Json.Nodes.JsonNode"/>, a
    /// <see cref="System.Text.Json.JsonElement"/>, a <c>byte[]</c> (sent as JSON), or a <see cref="string"/> holding JSON text.
    /// </summary>
    public const string Payload = "payload";
}
