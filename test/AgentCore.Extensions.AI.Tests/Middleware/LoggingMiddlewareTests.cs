// Licensed under the Apache License, Version 2.0.

using AgentCore.Extensions.AI.Testing;
using Amazon.Runtime;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AgentCore.Extensions.AI.Tests.Middleware;

/// <summary>
/// <c>UseLogging()</c> on the DI registration, with every log line captured at Trace (MEAI's LoggingChatClient and
/// IHttpClientFactory's handlers): requests and answers are logged, credentials and signatures never are.
/// </summary>
public sealed class LoggingMiddlewareTests
{
    private const string Arn = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/logging-agent";
    private const string AccessKeyId = "AKIDLOGTEST";
    private const string SecretKey = "secret-that-must-not-leak";
    private const string SessionToken = "token-that-must-not-leak";
    private const string BearerToken = "bearer-that-must-not-leak";

    private const string LoggingChatClientCategory = "Microsoft.Extensions.AI.LoggingChatClient";
    private const string HttpCategory = "AgentCore.Extensions.AI.Http.AgentCore";

    private static readonly AWSCredentials SessionCredentials = new SessionAWSCredentials(AccessKeyId, SecretKey, SessionToken);

    private static AgentReply Answer(AgentInvocation invocation) => invocation.Prompt switch
    {
        "whole prompt kilo" => AgentReply.JsonResult("whole answer lima"),
        "streamed prompt mike" => AgentReply.StrandsEvents(["streamed answer ", "november"], usage: (3, 2)),
        _ => AgentReply.JsonResult("unexpected prompt"),
    };

    private static ServiceProvider BuildProvider(FakeLogCollector collector, Action<AgentCoreChatClientOptions> configure, Action<IServiceCollection>? configureServices = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        services.AddAgentCoreChatClient(configure).UseLogging();
        configureServices?.Invoke(services);
        return services.BuildServiceProvider();
    }

    private static async Task CallBothWaysAsync(IChatClient client)
    {
        ChatResponse whole = await client.GetResponseAsync("whole prompt kilo");
        Assert.Equal("whole answer lima", whole.Text);

        var streamed = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("streamed prompt mike"))
        {
            streamed.Add(update);
        }

        Assert.Equal("streamed answer november", streamed.ToChatResponse().Text);
    }

    private static void AssertRequestsAndAnswersAreLogged(IReadOnlyList<FakeLogRecord> records)
    {
        // MEAI's LoggingChatClient logs the messages, options and answers at Trace only.
        string[] sensitive = [.. records.Where(r => r.Category == LoggingChatClientCategory && r.Level == LogLevel.Trace).Select(r => r.Message)];
        Assert.Contains(sensitive, m => m.StartsWith("GetResponseAsync invoked:", StringComparison.Ordinal) && m.Contains("whole prompt kilo") && m.Contains(Arn));
        Assert.Contains(sensitive, m => m.StartsWith("GetResponseAsync completed:", StringComparison.Ordinal) && m.Contains("whole answer lima"));
        Assert.Contains(sensitive, m => m.StartsWith("GetStreamingResponseAsync invoked:", StringComparison.Ordinal) && m.Contains("streamed prompt mike"));
        Assert.Contains(sensitive, m => m.StartsWith("GetStreamingResponseAsync received update:", StringComparison.Ordinal) && m.Contains("streamed answer "));
        Assert.Contains(sensitive, m => m.StartsWith("GetStreamingResponseAsync received update:", StringComparison.Ordinal) && m.Contains("november"));
        Assert.Contains(records, r => r.Category == LoggingChatClientCategory && r.Level == LogLevel.Debug && r.Message == "GetStreamingResponseAsync completed.");

        // The registration's HTTP log: the request line and the answer's status, never a header; IHttpClientFactory's default
        // loggers (whose structured state carries header values) are removed.
        Assert.Equal(2, records.Count(r => r.Category == HttpCategory && r.Level == LogLevel.Debug && r.Message.StartsWith("Sending HTTP request POST http://127.0.0.1:", StringComparison.Ordinal)));
        Assert.Equal(2, records.Count(r => r.Category == HttpCategory && r.Level == LogLevel.Information && r.Message.StartsWith("HTTP POST http://127.0.0.1:", StringComparison.Ordinal) && r.Message.Contains(" answered 200 after ", StringComparison.Ordinal)));
        Assert.DoesNotContain(records, r => r.Category?.StartsWith("System.Net.Http.HttpClient.", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(records, r => r.Message.Contains("Headers:", StringComparison.Ordinal));
    }

    /// <summary>No captured line (message, exception, scopes) contains any of the secrets.</summary>
    private static void AssertNoLineContains(IReadOnlyList<FakeLogRecord> records, params string[] secrets)
    {
        Assert.NotEmpty(records);
        foreach (FakeLogRecord record in records)
        {
            string line = MiddlewareTestSupport.LineText(record);
            foreach (string secret in secrets)
            {
                Assert.False(line.Contains(secret, StringComparison.Ordinal), $"A log line contains '{secret}': {line}");
            }
        }
    }

    /// <summary>No record's structured state (what OpenTelemetry's log exporter or Serilog ship as attributes) contains any of the secrets.</summary>
    private static void AssertNoStateContains(IReadOnlyList<FakeLogRecord> records, params string[] secrets)
    {
        Assert.NotEmpty(records);
        var leaks = new SortedSet<string>(StringComparer.Ordinal);
        string? example = null;
        foreach (FakeLogRecord record in records)
        {
            string state = MiddlewareTestSupport.StateText(record);
            foreach (string secret in secrets.Where(secret => state.Contains(secret, StringComparison.Ordinal)))
            {
                leaks.Add($"'{secret}' in the state of {record.Category} [{record.Level}] '{record.Message.Split('\n')[0]}'");
                example ??= state;
            }
        }

        Assert.True(leaks.Count == 0, $"Structured log states carry credentials:\n{string.Join("\n", leaks)}\nfor example: {example}");
    }

    private static async Task<(IReadOnlyList<FakeLogRecord> Records, string[] Signatures)> SignedCallsAsync(Action<IServiceCollection>? configureServices = null)
    {
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            RuntimeArn = Arn,
            Agent = Answer,
            VerifySignaturesWith = SessionCredentials,
        });
        var collector = new FakeLogCollector();
        await using (ServiceProvider provider = BuildProvider(collector, o =>
        {
            o.RuntimeArn = runtime.RuntimeArn;
            o.Endpoint = runtime.BaseAddress;
            o.Credentials = SessionCredentials;
        }, configureServices))
        {
            await CallBothWaysAsync(provider.GetRequiredService<IChatClient>());
        }

        // The secrets really were on the wire: signed with the session credentials, token sent, signatures valid.
        Assert.Equal(2, runtime.Requests.Count);
        Assert.All(runtime.Requests, r =>
        {
            Assert.True(r.SignatureValid);
            Assert.Equal(SessionToken, r.Headers["X-Amz-Security-Token"]);
            Assert.StartsWith($"AWS4-HMAC-SHA256 Credential={AccessKeyId}/", r.Headers["Authorization"]);
        });
        return (collector.GetSnapshot(), [.. runtime.Requests.Select(r => MiddlewareTestSupport.SignatureOf(r.Headers["Authorization"]))]);
    }

    private static async Task<IReadOnlyList<FakeLogRecord>> BearerCallsAsync()
    {
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions { RuntimeArn = Arn, Agent = Answer });
        var collector = new FakeLogCollector();
        await using (ServiceProvider provider = BuildProvider(collector, o =>
        {
            o.RuntimeArn = runtime.RuntimeArn;
            o.Endpoint = runtime.BaseAddress;
            o.BearerTokenProvider = _ => new(BearerToken);
        }))
        {
            await CallBothWaysAsync(provider.GetRequiredService<IChatClient>());
        }

        Assert.Equal(2, runtime.Requests.Count);
        Assert.All(runtime.Requests, r => Assert.Equal($"Bearer {BearerToken}", r.Headers["Authorization"]));
        return collector.GetSnapshot();
    }

    [Fact]
    public async Task SigV4WithSessionToken_RequestsAndAnswersLogged_NoCredentialOrSignatureInAnyLine()
    {
        (IReadOnlyList<FakeLogRecord> records, string[] signatures) = await SignedCallsAsync();

        AssertRequestsAndAnswersAreLogged(records);
        Assert.All(
            records.Where(r => r.Message.StartsWith("Request Headers:", StringComparison.Ordinal)),
            r => Assert.Contains("x-amz-security-token: *", r.Message));
        AssertNoLineContains(records, [AccessKeyId, SecretKey, SessionToken, "Signature=", "AWS4-HMAC-SHA256", .. signatures]);
    }

    [Fact]
    public async Task BearerToken_RequestsAndAnswersLogged_NoTokenInAnyLine()
    {
        IReadOnlyList<FakeLogRecord> records = await BearerCallsAsync();

        AssertRequestsAndAnswersAreLogged(records);
        AssertNoLineContains(records, BearerToken, "Bearer ");
    }

    /// <summary>
    /// IHttpClientFactory's default header lines are redacted as text (<c>Authorization: *</c>), but their state
    /// (Microsoft.Extensions.Http's HttpHeadersLogValue) carries every header value as sent, which a structured provider
    /// (OpenTelemetry's log exporter, Serilog) ships at Trace. The registration replaces those loggers: no state carries one.
    /// </summary>
    [Fact]
    public async Task HttpClientFactoryLogState_CarriesNoCredential()
    {
        (IReadOnlyList<FakeLogRecord> signed, string[] signatures) = await SignedCallsAsync();
        IReadOnlyList<FakeLogRecord> bearer = await BearerCallsAsync();

        AssertNoStateContains([.. signed, .. bearer], [AccessKeyId, SecretKey, SessionToken, "Signature=", BearerToken, .. signatures]);
    }

    [Fact]
    public async Task RejectedSignature_TheLoggedFailureCarriesNoCredential()
    {
        // The runtime expects other credentials: 403 InvalidSignatureException, logged by LoggingChatClient with the exception.
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            RuntimeArn = Arn,
            Agent = Answer,
            VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
        });
        var collector = new FakeLogCollector();
        AgentCoreException error;
        await using (ServiceProvider provider = BuildProvider(collector, o =>
        {
            o.RuntimeArn = runtime.RuntimeArn;
            o.Endpoint = runtime.BaseAddress;
            o.Credentials = SessionCredentials;
            o.MaxAttempts = 1;
        }))
        {
            error = await Assert.ThrowsAsync<AgentCoreException>(() => provider.GetRequiredService<IChatClient>().GetResponseAsync("whole prompt kilo"));
        }

        Assert.Equal(AgentCoreErrorKind.Unauthorized, error.Kind);
        string signature = MiddlewareTestSupport.SignatureOf(Assert.Single(runtime.Requests).Headers["Authorization"]);

        IReadOnlyList<FakeLogRecord> records = collector.GetSnapshot();
        FakeLogRecord failure = Assert.Single(records, r => r.Category == LoggingChatClientCategory && r.Level == LogLevel.Error);
        Assert.Equal("GetResponseAsync failed.", failure.Message);
        Assert.Same(error, failure.Exception);
        AssertNoLineContains(records, AccessKeyId, SecretKey, SessionToken, "Signature=", signature);
    }
}
