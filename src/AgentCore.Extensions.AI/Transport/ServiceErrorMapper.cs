// Licensed under the Apache License, Version 2.0.

using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;

namespace AgentCore.Extensions.AI.Transport;

/// <summary>Turns an error answer (status, <c>x-amzn-ErrorType</c>, JSON body) into an <see cref="AgentCoreException"/>.</summary>
internal static class ServiceErrorMapper
{
    /// <summary>The most of an error body that is read; error bodies are small, and an endless one must not hang the caller.</summary>
    public const int MaxErrorBodyBytes = 64 * 1024;

    /// <summary>Maps an error answer.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="errorTypeHeader">The <c>x-amzn-ErrorType</c> header, or null.</param>
    /// <param name="body">The start of the body (at most <see cref="MaxErrorBodyBytes"/>).</param>
    /// <param name="bodyCut">Whether the body was longer than what was read.</param>
    /// <param name="requestId">The request id, or null.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="fromContainer">
    /// Whether a local agent container answered: there a 5xx with no error type is the agent's own failure (the AWS front end
    /// would report it as RuntimeClientError), and running the agent again is not a safe retry.
    /// </param>
    /// <returns>The exception to throw.</returns>
    public static AgentCoreException Map(HttpStatusCode status, string? errorTypeHeader, ReadOnlySpan<byte> body, bool bodyCut, string? requestId, string? sessionId, bool fromContainer)
    {
        string? errorType = Simplify(errorTypeHeader);
        string? message = null;
        string? reason = null;

        if (!body.IsEmpty)
        {
            try
            {
                var reader = new Utf8JsonReader(body);
                using JsonDocument document = JsonDocument.ParseValue(ref reader);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (JsonProperty property in document.RootElement.EnumerateObject())
                    {
                        string? text = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                        switch (property.Name)
                        {
                            case "__type" or "code" or "Code" when errorType is null:
                                errorType = Simplify(text);
                                break;
                            case "message" or "Message" or "error" when message is null:
                                message = text;
                                break;
                            case "reason":
                                reason = text;
                                break;
                        }
                    }
                }
            }
            catch (JsonException)
            {
                message = Encoding.UTF8.GetString(body).Trim();
            }
        }

        AgentCoreErrorKind kind = fromContainer && errorType is null && (int)status >= 500
            ? AgentCoreErrorKind.RuntimeClientError
            : Classify(errorType, status);
        var description = new StringBuilder(fromContainer ? "The agent container answered " : "AgentCore Runtime answered ").Append((int)status).Append(' ').Append(errorType ?? status.ToString());
        if (!string.IsNullOrEmpty(message))
        {
            description.Append(": ").Append(message);
        }

        if (!string.IsNullOrEmpty(reason))
        {
            description.Append(" (reason: ").Append(reason).Append(')');
        }

        if (bodyCut)
        {
            description.Append(" [error body longer than ").Append(MaxErrorBodyBytes / 1024).Append(" KiB; the rest was not read]");
        }

        if (requestId is not null)
        {
            description.Append(" (request id ").Append(requestId).Append(')');
        }

        description.Append('.').Append(Advice(kind));

        return new AgentCoreException(description.ToString())
        {
            Kind = kind,
            ErrorType = errorType,
            StatusCode = status,
            RequestId = requestId,
            SessionId = sessionId,
            IsRetryable = IsRetryable(kind),
        };
    }

    public static AgentCoreException Network(HttpRequestException e, string? sessionId) =>
        new($"AgentCore Runtime could not be reached: {e.Message}", e)
        {
            Kind = AgentCoreErrorKind.Network,
            SessionId = sessionId,
            IsRetryable = true,
        };

    public static bool IsRetryable(AgentCoreErrorKind kind) =>
        kind is AgentCoreErrorKind.Throttling or AgentCoreErrorKind.Conflict or AgentCoreErrorKind.ServerError or AgentCoreErrorKind.Network;

    internal static AgentCoreErrorKind Classify(string? errorType, HttpStatusCode status) => errorType switch
    {
        "ValidationException" => AgentCoreErrorKind.Validation,
        "UnauthorizedException" or "UnrecognizedClientException" or "InvalidSignatureException" or "IncompleteSignatureException"
            or "MissingAuthenticationTokenException" or "ExpiredTokenException" or "InvalidClientTokenId" or "SignatureDoesNotMatch" => AgentCoreErrorKind.Unauthorized,
        "AccessDeniedException" => AgentCoreErrorKind.AccessDenied,
        "ResourceNotFoundException" => AgentCoreErrorKind.NotFound,
        "RetryableConflictException" or "ConflictException" => AgentCoreErrorKind.Conflict,
        "ServiceQuotaExceededException" => AgentCoreErrorKind.ServiceQuotaExceeded,
        "RuntimeClientError" => AgentCoreErrorKind.RuntimeClientError,
        "ThrottlingException" or "TooManyRequestsException" => AgentCoreErrorKind.Throttling,
        "InternalServerException" or "ServiceUnavailableException" => AgentCoreErrorKind.ServerError,
        _ => (int)status switch
        {
            400 => AgentCoreErrorKind.Validation,
            401 => AgentCoreErrorKind.Unauthorized,
            402 => AgentCoreErrorKind.ServiceQuotaExceeded,
            403 => AgentCoreErrorKind.AccessDenied,
            404 => AgentCoreErrorKind.NotFound,
            409 => AgentCoreErrorKind.Conflict,
            424 => AgentCoreErrorKind.RuntimeClientError,
            429 => AgentCoreErrorKind.Throttling,
            >= 500 => AgentCoreErrorKind.ServerError,
            _ => AgentCoreErrorKind.Unknown,
        },
    };

    // "ValidationException:http://internal.amazon.com/coral/..." or "aws.protocol#ValidationException" → "ValidationException".
    private static string? Simplify(string? errorType)
    {
        if (string.IsNullOrWhiteSpace(errorType))
        {
            return null;
        }

        string value = errorType.Trim();
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            value = value[..colon];
        }

        int hash = value.LastIndexOf('#');
        return hash >= 0 ? value[(hash + 1)..] : value;
    }

    private static string Advice(AgentCoreErrorKind kind) => kind switch
    {
        AgentCoreErrorKind.Unauthorized => " Check the credentials (or bearer token) and that the clock is right.",
        AgentCoreErrorKind.AccessDenied => " The caller needs bedrock-agentcore:InvokeAgentRuntime on this runtime (and InvokeAgentRuntimeForUser when a user id is sent).",
        AgentCoreErrorKind.NotFound => " Check the runtime ARN, its region and the qualifier.",
        AgentCoreErrorKind.RuntimeClientError => " The agent itself failed: see its logs.",
        _ => string.Empty,
    };

    internal static string? FirstHeader(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
