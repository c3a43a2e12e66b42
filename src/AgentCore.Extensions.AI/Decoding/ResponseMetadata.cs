// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Decoding;

/// <summary>What every update of one answer carries: one message id (the request id), the session, the model, the time.</summary>
internal sealed class ResponseMetadata(string responseId, string conversationId, string modelId, DateTimeOffset createdAt)
{
    public string ResponseId { get; } = responseId;

    public string ConversationId { get; } = conversationId;

    public string ModelId { get; } = modelId;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public ChatResponseUpdate Update(IList<AIContent> contents, object? raw, ChatFinishReason? finishReason = null) =>
        new(ChatRole.Assistant, contents)
        {
            ResponseId = ResponseId,
            MessageId = ResponseId,
            ConversationId = ConversationId,
            ModelId = ModelId,
            CreatedAt = CreatedAt,
            FinishReason = finishReason,
            RawRepresentation = raw,
        };
}
