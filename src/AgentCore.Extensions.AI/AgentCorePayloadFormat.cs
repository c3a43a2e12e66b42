// Licensed under the Apache License, Version 2.0.

namespace AgentCore.Extensions.AI;

/// <summary>How <see cref="AgentCoreChatClient"/> turns a list of chat messages into the runtime payload.</summary>
public enum AgentCorePayloadFormat
{
    /// <summary>
    /// <c>{"prompt": "&lt;text of the last user message&gt;"}</c>: what the starter templates (Strands, LangGraph, the
    /// TypeScript SDK samples) read, and what LiteLLM sends. The agent keeps the history in its session.
    /// </summary>
    Prompt = 0,

    /// <summary>
    /// <c>{"messages": [{"role": "user", "content": "..."}, ...]}</c>: the whole conversation, for stateless agents that
    /// expect the caller to send the history. <c>ChatOptions.Instructions</c> becomes a leading system message.
    /// </summary>
    Messages = 1,
}
