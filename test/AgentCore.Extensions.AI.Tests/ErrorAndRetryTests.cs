// Licensed under the Apache License, Version 2.0.

using System.Net;
using System.Text;
using AgentCore.Extensions.AI.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Tests;

/// <summary>Error answers become typed exceptions; retryable ones are retried, freshly signed, only before any body is handed out.</summary>
public sealed class ErrorAndRetryTests
{
    [Theory]
    [InlineData(400, "ValidationException", """{"message":"Invalid session id","reason":"fieldValidationFailed"}""", AgentCoreErrorKind.Validation, false, "AgentCore Runtime answered 400 ValidationException: Invalid session id (reason: fieldValidationFailed) (request id r-1).")]
    [InlineData(401, null, """{"__type":"UnauthorizedException","message":"Token expired"}""", AgentCoreErrorKind.Unauthorized, false, "AgentCore Runtime answered 401 UnauthorizedException: Token expired (request id r-1). Check the credentials (or bearer token) and that the clock is right.")]
    [InlineData(403, "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.bedrockagentcore/", """{"Message":"not authorized"}""", AgentCoreErrorKind.AccessDenied, false, "AgentCore Runtime answered 403 AccessDeniedException: not authorized (request id r-1). The caller needs bedrock-agentcore:InvokeAgentRuntime on this runtime (and InvokeAgentRuntimeForUser when a user id is sent).")]
    [InlineData(404, "ResourceNotFoundException", """{"message":"No endpoint named prod"}""", AgentCoreErrorKind.NotFound, false, "AgentCore Runtime answered 404 ResourceNotFoundException: No endpoint named prod (request id r-1). Check the runtime ARN, its region and the qualifier.")]
    [InlineData(402, "ServiceQuotaExceededException", "", AgentCoreErrorKind.ServiceQuotaExceeded, false, "AgentCore Runtime answered 402 ServiceQuotaExceededException (request id r-1).")]
    [InlineData(424, "RuntimeClientError", """{"message":"Agent exited with code 1"}""", AgentCoreErrorKind.RuntimeClientError, false, "AgentCore Runtime answered 424 RuntimeClientError: Agent exited with code 1 (request id r-1). The agent itself failed: see its logs.")]
    [InlineData(409, "RetryableConflictException", "{}", AgentCoreErrorKind.Conflict, true, "AgentCore Runtime answered 409 RetryableConflictException (request id r-1).")]
    [InlineData(429, "ThrottlingException", """{"message":"Rate exceeded"}""", AgentCoreErrorKind.Throttling, true, "AgentCore Runtime answered 429 ThrottlingException: Rate exceeded (request id r-1).")]
    [InlineData(500, null, """{"code":"InternalServerException","message":"oops"}""", AgentCoreErrorKind.ServerError, true, "AgentCore Runtime answered 500 InternalServerException: oops (request id r-1).")]
    [InlineData(503, null, "Service Unavailable", AgentCoreErrorKind.ServerError, true, "AgentCore Runtime answered 503 ServiceUnavailable: Service Unavailable (request id r-1).")]
    public async Task ErrorAnswers_MapToTypedExceptions(int status, string? errorType, string body, AgentCoreErrorKind kind, bool retryable, string message)
    {
        var handler = new RecordingHandler();
        for (int i = 0; i < 3; i++)
        {
            handler.Respond(_ =>
            {
                var headers = new List<(string, string)> { ("x-amzn-RequestId", "r-1") };
                if (errorType is not null)
                {
                    headers.Add(("x-amzn-ErrorType", errorType));
                }

                return RecordingHandler.Response((HttpStatusCode)status, Encoding.UTF8.GetBytes(body), "application/json", [.. headers]);
            });
        }

        using var client = TestClients.Create(handler);

        var e = await Assert.ThrowsAsync<AgentCoreException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(kind, e.Kind);
        Assert.Equal(retryable, e.IsRetryable);
        Assert.Equal((HttpStatusCode)status, e.StatusCode);
        Assert.Equal("r-1", e.RequestId);
        Assert.Equal(TestClients.SessionId, e.SessionId);
        Assert.Equal(message, e.Message);
        Assert.Equal(retryable ? 3 : 1, handler.Requests.Count);
    }

    [Fact]
    public async Task Throttled_ThenOk_IsRetried_WithAFreshlySignedRequest()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestClients.SigningTime) { AutoAdvanceAmount = TimeSpan.FromSeconds(1) };
        var handler = new RecordingHandler()
            .Respond(HttpStatusCode.TooManyRequests, """{"message":"Rate exceeded"}""", "application/json", ("x-amzn-ErrorType", "ThrottlingException"))
            .Respond(HttpStatusCode.OK, """{"result":"after retry"}""", "application/json");
        using var client = TestClients.Create(handler, o => o.TimeProvider = time);

        ChatResponse response = await client.GetResponseAsync("hi");

        Assert.Equal("after retry", response.Text);
        Assert.Equal(2, handler.Requests.Count);
        Assert.NotEqual(handler.Requests[0].Header("X-Amz-Date"), handler.Requests[1].Header("X-Amz-Date"));
        Assert.NotEqual(handler.Requests[0].Header("Authorization"), handler.Requests[1].Header("Authorization"));
        Assert.Equal(handler.Requests[0].BodyText, handler.Requests[1].BodyText);
        Assert.Equal(handler.Requests[0].Header("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"), handler.Requests[1].Header("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"));
    }

    [Fact]
    public async Task NetworkFailure_IsRetried_ThenReportedAsNetwork()
    {
        var handler = new RecordingHandler();
        for (int i = 0; i < 2; i++)
        {
            handler.Respond(_ => throw new HttpRequestException("Connection refused (127.0.0.1:1)"));
        }

        using var client = TestClients.Create(handler, o => o.MaxAttempts = 2);

        var e = await Assert.ThrowsAsync<AgentCoreException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(AgentCoreErrorKind.Network, e.Kind);
        Assert.True(e.IsRetryable);
        Assert.IsType<HttpRequestException>(e.InnerException);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task AgentContainer500_IsTheAgentFailing_NotRetried()
    {
        var handler = new RecordingHandler()
            .Respond(HttpStatusCode.InternalServerError, "", "text/event-stream")
            .Respond(HttpStatusCode.OK, "\"must not run twice\"", "application/json");
        using var client = TestClients.Create(handler, o => o.RuntimeArn = "http://localhost:8080");

        var e = await Assert.ThrowsAsync<AgentCoreException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(AgentCoreErrorKind.RuntimeClientError, e.Kind);
        Assert.False(e.IsRetryable);
        Assert.Equal("The agent container answered 500 InternalServerError. The agent itself failed: see its logs.", e.Message);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task MaxAttemptsOne_DisablesRetries()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.InternalServerError, "{}", "application/json");
        using var client = TestClients.Create(handler, o => o.MaxAttempts = 1);
        await Assert.ThrowsAsync<AgentCoreException>(() => client.GetResponseAsync("hi"));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task MidStreamFailure_IsNeverRetried_OnceTheBodyWasHandedOut()
    {
        var handler = new RecordingHandler()
            .Respond(HttpStatusCode.OK, "data: \"part\"\n\nevent: error\ndata: {\"error\":\"boom\"}\n\n", "text/event-stream")
            .Respond(HttpStatusCode.OK, "\"should not be asked for\"", "application/json");
        using var client = TestClients.Create(handler);

        await Assert.ThrowsAsync<AgentCoreException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync("hi"))
            {
            }
        });

        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task RetryAfterHeader_IsHonoured()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestClients.SigningTime);
        var handler = new RecordingHandler()
            .Respond(_ =>
            {
                var response = RecordingHandler.Response(HttpStatusCode.TooManyRequests, "{}"u8.ToArray(), "application/json", ("x-amzn-ErrorType", "ThrottlingException"));
                response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
                return response;
            })
            .Respond(HttpStatusCode.OK, "\"ok\"", "application/json");
        using var client = TestClients.Create(handler, o => o.TimeProvider = time);

        Task<ChatResponse> call = client.GetResponseAsync("hi");
        await WaitUntil(() => handler.Requests.Count == 1);
        time.Advance(TimeSpan.FromSeconds(6.9));
        await Task.Delay(50);
        Assert.Single(handler.Requests);
        time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal("ok", (await call).Text);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task CancelledBeforeTheCall_SendsNothing()
    {
        var handler = new RecordingHandler();
        using var client = TestClients.Create(handler);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("hi", cancellationToken: cts.Token));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task CancelledDuringBackoff_StopsRetrying()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestClients.SigningTime);
        var handler = new RecordingHandler().Respond(HttpStatusCode.ServiceUnavailable, "", "application/json");
        using var client = TestClients.Create(handler, o => { o.TimeProvider = time; o.RetryBaseDelay = TimeSpan.FromSeconds(10); });
        using var cts = new CancellationTokenSource();

        Task<ChatResponse> call = client.GetResponseAsync("hi", cancellationToken: cts.Token);
        await WaitUntil(() => handler.Requests.Count == 1);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task CancelledMidStream_StopsReadingAndDisposesTheBody()
    {
        var body = new TrickleStream(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 100).Select(i => $"data: \"w{i} \"\n\n"))), chunkSize: 8);
        var handler = new RecordingHandler().RespondStream(body, "text/event-stream");
        using var client = TestClients.Create(handler);
        using var cts = new CancellationTokenSource();
        int received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi", cancellationToken: cts.Token))
            {
                if (++received == 3)
                {
                    cts.Cancel();
                }
            }
        });

        Assert.Equal(3, received);
        Assert.True(body.Disposed);
        Assert.True(body.Position < 200, $"read {body.Position} bytes after cancelling; the rest must not be drained");
    }

    [Fact]
    public async Task AbandonedStream_DisposesTheBody()
    {
        var body = new TrickleStream(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 100).Select(i => $"data: \"w{i} \"\n\n"))), chunkSize: 8);
        var handler = new RecordingHandler().RespondStream(body, "text/event-stream");
        using var client = TestClients.Create(handler);

        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            break;
        }

        Assert.True(body.Disposed);
        Assert.True(body.Position < 100);
    }

    [Fact]
    public async Task SecretsNeverAppearInMessagesOrToString()
    {
        const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        const string Token = "very-secret-session-token";
        const string Bearer = "bearer-secret-123";
        var handler = new RecordingHandler()
            .Respond(HttpStatusCode.Forbidden, """{"message":"The request signature we calculated does not match the signature you provided."}""", "application/json", ("x-amzn-ErrorType", "InvalidSignatureException"))
            .Respond(HttpStatusCode.Unauthorized, "{}", "application/json");
        var options = TestClients.Options(o => o.Credentials = new Amazon.Runtime.SessionAWSCredentials(TestClients.AccessKeyId, Secret, Token));
        using var client = new AgentCoreChatClient(options, new HttpClient(handler));
        var bearerOptions = TestClients.Options(o => o.BearerTokenProvider = _ => ValueTask.FromResult(Bearer));
        using var bearerClient = new AgentCoreChatClient(bearerOptions, new HttpClient(handler));

        var signed = await Assert.ThrowsAsync<AgentCoreException>(() => client.GetResponseAsync("hi"));
        var bearer = await Assert.ThrowsAsync<AgentCoreException>(() => bearerClient.GetResponseAsync("hi"));

        Assert.Equal(AgentCoreErrorKind.Unauthorized, signed.Kind);
        foreach (string text in new[] { signed.ToString(), bearer.ToString(), options.ToString(), bearerOptions.ToString(), client.ToString(), bearerClient.ToString() })
        {
            Assert.DoesNotContain(Secret, text);
            Assert.DoesNotContain(Token, text);
            Assert.DoesNotContain(Bearer, text);
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
