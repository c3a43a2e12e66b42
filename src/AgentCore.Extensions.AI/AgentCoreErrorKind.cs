// Licensed under the Apache License, Version 2.0.

namespace AgentCore.Extensions.AI;

/// <summary>What kind of failure an <see cref="AgentCoreException"/> reports.</summary>
public enum AgentCoreErrorKind
{
    /// <summary>A failure the service did not classify.</summary>
    Unknown = 0,

    /// <summary><c>ValidationException</c> (400): the request was malformed. Not retried.</summary>
    Validation,

    /// <summary><c>UnauthorizedException</c> or a signature error (401/403): credentials, token or signature were rejected. Not retried.</summary>
    Unauthorized,

    /// <summary><c>AccessDeniedException</c> (403): the caller lacks permission. Not retried.</summary>
    AccessDenied,

    /// <summary><c>ResourceNotFoundException</c> (404): the runtime, endpoint or session does not exist. Not retried.</summary>
    NotFound,

    /// <summary><c>ServiceQuotaExceededException</c> (402): a quota was exceeded. Not retried.</summary>
    ServiceQuotaExceeded,

    /// <summary><c>RetryableConflictException</c> (409): the session is busy. Retried.</summary>
    Conflict,

    /// <summary><c>RuntimeClientError</c> (424) or an error the agent itself reported: the agent failed. Not retried.</summary>
    RuntimeClientError,

    /// <summary><c>ThrottlingException</c> (429). Retried with backoff.</summary>
    Throttling,

    /// <summary><c>InternalServerException</c> (500) or another 5xx answer. Retried.</summary>
    ServerError,

    /// <summary>
    /// The agent reported an error in its answer (an <c>error</c> event or an <c>{"error": ...}</c> object) after the service
    /// had answered 200. Streamed updates received before it have already been handed to the caller.
    /// </summary>
    AgentError,

    /// <summary>The response body ended early or could not be read whole. Never turned into a shorter answer.</summary>
    ResponseTruncated,

    /// <summary>The runtime could not be reached (connection refused, DNS, TLS). Retried.</summary>
    Network,
}
