// Licensed under the Apache License, Version 2.0.

using System;
using System.Text.Json;
using System.Threading.Tasks;
using AgentCore.Extensions.AI;
using Microsoft.AspNetCore.Http;

namespace AgentCore.Gateway.OpenAi;

/// <summary>An error in OpenAI's shape, <c>{"error": {"message", "type", "param", "code"}}</c>, with its HTTP status.</summary>
internal sealed record OpenAiError(int Status, string Message, string Type, string? Code)
{
    public static OpenAiError BadRequest(string message, string? code = null) => new(400, message, "invalid_request_error", code);

    public static OpenAiError Unauthorized() =>
        new(401, "Authentication Error: the Authorization header must be 'Bearer <master_key>'.", "authentication_error", "invalid_api_key");

    public static OpenAiError ModelNotFound(string model) =>
        new(404, $"The model '{model}' does not exist on this gateway: ask GET /v1/models for the configured names.", "invalid_request_error", "model_not_found");

    public static OpenAiError TooLarge(long limit) =>
        new(413, $"The request body is larger than {limit} bytes (general_settings.max_request_size_mb).", "invalid_request_error", "request_too_large");

    /// <summary>A failure the gateway did not foresee; the details are in its log, not in the answer.</summary>
    public static OpenAiError Internal(Exception e) =>
        new(500, $"The gateway could not complete the request ({e.GetType().Name}); its log has the details.", "server_error", "internal_error");

    public static OpenAiError Timeout() => new(504, "The agent runtime did not answer in time.", "timeout_error", "timeout");

    /// <summary>Maps a failed AgentCore call to the status an OpenAI client expects.</summary>
    public static OpenAiError From(AgentCoreException e) => e.Kind switch
    {
        AgentCoreErrorKind.Validation => new(400, e.Message, "invalid_request_error", "agentcore_validation"),
        AgentCoreErrorKind.Throttling or AgentCoreErrorKind.ServiceQuotaExceeded => new(429, e.Message, "rate_limit_error", "rate_limit_exceeded"),
        AgentCoreErrorKind.Conflict => new(409, e.Message, "conflict_error", "session_busy"),
        AgentCoreErrorKind.RuntimeClientError or AgentCoreErrorKind.AgentError => new(424, e.Message, "agent_error", "agent_failed"),
        _ => new(502, e.Message, "upstream_error", e.ErrorType ?? e.Kind.ToString()),
    };

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("error"u8);
        writer.WriteString("message"u8, Message);
        writer.WriteString("type"u8, Type);
        writer.WriteNull("param"u8);
        if (Code is null)
        {
            writer.WriteNull("code"u8);
        }
        else
        {
            writer.WriteString("code"u8, Code);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public async Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = Status;
        response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(response.Body);
        WriteTo(writer);
    }
}
