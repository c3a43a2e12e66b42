// Licensed under the Apache License, Version 2.0.

using System;
using System.Net.Http;
using Microsoft.Extensions.Http.Logging;
using Microsoft.Extensions.Logging;

namespace AgentCore.Extensions.AI.Hosting;

/// <summary>
/// The HTTP log of the registered AgentCore clients: method, URL, status and duration, and never a header.
/// </summary>
/// <remarks>
/// It replaces IHttpClientFactory's default loggers, whose header lines are redacted as text but still carry every header
/// value in their structured state (the Authorization header with its signature or bearer token, the session token), which
/// structured log exporters ship as attributes.
/// </remarks>
internal sealed partial class AgentCoreHttpClientLogger(ILogger logger) : IHttpClientLogger
{
    /// <summary>The log category prefix: <c>AgentCore.Extensions.AI.Http.{HTTP client name}</c>.</summary>
    public const string CategoryPrefix = "AgentCore.Extensions.AI.Http.";

    public object? LogRequestStart(HttpRequestMessage request)
    {
        LogStart(logger, request.Method, request.RequestUri);
        return null;
    }

    public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed) =>
        LogStop(logger, request.Method, request.RequestUri, (int)response.StatusCode, elapsed.TotalMilliseconds);

    public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed) =>
        LogFailed(logger, exception, request.Method, request.RequestUri, elapsed.TotalMilliseconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sending HTTP request {Method} {Uri}")]
    private static partial void LogStart(ILogger logger, HttpMethod method, Uri? uri);

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP {Method} {Uri} answered {StatusCode} after {ElapsedMilliseconds:F1} ms")]
    private static partial void LogStop(ILogger logger, HttpMethod method, Uri? uri, int statusCode, double elapsedMilliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTTP {Method} {Uri} failed after {ElapsedMilliseconds:F1} ms")]
    private static partial void LogFailed(ILogger logger, Exception exception, HttpMethod method, Uri? uri, double elapsedMilliseconds);
}
