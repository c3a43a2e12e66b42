// Licensed under the Apache License, Version 2.0.

using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AgentCore.Extensions.AI.Testing;
using Amazon.Extensions.NETCore.Setup;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCore.Extensions.AI.Frameworks.Tests;

/// <summary>
/// The sample minimal API (docs/samples/AgentCore.Sample.Api) hosted with WebApplicationFactory, its "support" runtime
/// pointed at a local AgentCore runtime that verifies SigV4.
/// </summary>
public sealed class SampleApiTests
{
    /// <summary>The ARN the sample's appsettings.json names for "support"; the local runtime serves it, so only Endpoint is overridden.</summary>
    private const string SupportArn = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/support-agent";

    private const string SessionHeader = "x-agentcore-session-id";

    private static WebApplicationFactory<Program> HostSample(LocalAgentRuntime runtime) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("AgentCore:Runtimes:support:Endpoint", runtime.BaseAddress.ToString());
            web.ConfigureTestServices(services => services.AddDefaultAWSOptions(new AWSOptions { Credentials = LocalAgentRuntime.TestCredentials }));
        });

    private static Task<LocalAgentRuntime> StartRuntimeAsync(Func<AgentInvocation, AgentReply> agent) => LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
    {
        RuntimeArn = SupportArn,
        Agent = agent,
        VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
    });

    private static HttpRequestMessage Ask(string runtime, string prompt, string? sessionId) =>
        new(HttpMethod.Post, $"/ask/{runtime}") { Content = JsonContent.Create(new { prompt, sessionId }) };

    [Fact]
    public async Task Ask_StreamsTheAnswerAsItArrives_NamesTheSession_AndASecondRequestContinuesIt()
    {
        // The agent holds its second chunk back until the test has read the first one through the sample: the answer can
        // only be complete if the sample forwards chunks as they arrive.
        var firstChunkRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using LocalAgentRuntime runtime = await StartRuntimeAsync(invocation => invocation.TurnNumber == 1
            ? AgentReply.StrandsEvents(HeldBack(["Hello from ", "the support agent."], firstChunkRead.Task))
            : AgentReply.StrandsEvents([$"Turn {invocation.TurnNumber}: ", $"you asked {invocation.Prompt}", $" after {invocation.History[0].Prompt}."]));
        await using WebApplicationFactory<Program> sample = HostSample(runtime);
        using HttpClient http = sample.CreateClient();

        using HttpResponseMessage response = await http.SendAsync(Ask("support", "hi", sessionId: null), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        string session = Assert.Single(response.Headers.GetValues(SessionHeader));
        await using Stream body = await response.Content.ReadAsStreamAsync();
        var reads = new List<string>();
        var buffer = new byte[4096];
        var text = new StringBuilder();
        int read;
        while ((read = await body.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20))) > 0)
        {
            reads.Add(Encoding.UTF8.GetString(buffer, 0, read));
            text.Append(reads[^1]);
            if (text.ToString() == "Hello from ")
            {
                firstChunkRead.TrySetResult();
            }
        }

        Assert.Equal("Hello from the support agent.", text.ToString());
        Assert.True(firstChunkRead.Task.IsCompleted, "The first chunk never arrived on its own.");
        Assert.True(reads.Count > 1, $"The answer arrived in {reads.Count} read(s).");
        Assert.Equal("Hello from ", reads[0]);

        RecordedAgentRequest first = Assert.Single(runtime.Requests);
        Assert.Equal(session, first.SessionId);
        Assert.True(first.SignatureValid);
        Assert.Equal($"/runtimes/{Uri.EscapeDataString(SupportArn)}/invocations?qualifier=DEFAULT", first.RawTarget);
        Assert.Equal("""{"prompt":"hi"}""", first.BodyText);

        // The second request names the session from the header: turn 2 of the same runtime session.
        using HttpResponseMessage next = await http.SendAsync(Ask("support", "and now?", session), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(session, Assert.Single(next.Headers.GetValues(SessionHeader)));
        Assert.Equal("Turn 2: you asked and now? after hi.", await next.Content.ReadAsStringAsync());
        Assert.Equal(["hi", "and now?"], runtime.GetHistory(session).Select(turn => turn.Prompt));
        Assert.All(runtime.Requests, request => Assert.True(request.SignatureValid));
    }

    [Fact]
    public async Task Ask_UnknownRuntime_Is404_AndCallsNoAgent()
    {
        await using LocalAgentRuntime runtime = await StartRuntimeAsync(_ => AgentReply.StrandsEvents(["unused"]));
        await using WebApplicationFactory<Program> sample = HostSample(runtime);
        using HttpClient http = sample.CreateClient();

        using HttpResponseMessage response = await http.SendAsync(Ask("billing", "hi", sessionId: null));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("No AgentCore runtime named 'billing' is configured.", problem.RootElement.GetProperty("detail").GetString());
        Assert.False(response.Headers.Contains(SessionHeader));
        Assert.Empty(runtime.Requests);
    }

    [Fact]
    public async Task Ask_InvalidSessionId_Is400_BeforeAnythingIsSent()
    {
        await using LocalAgentRuntime runtime = await StartRuntimeAsync(_ => AgentReply.StrandsEvents(["unused"]));
        await using WebApplicationFactory<Program> sample = HostSample(runtime);
        using HttpClient http = sample.CreateClient();

        using HttpResponseMessage response = await http.SendAsync(Ask("support", "hi", sessionId: "too-short"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("ChatOptions.ConversationId", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(runtime.Requests);
    }

    [Fact]
    public async Task Ask_WithoutAPrompt_Is400()
    {
        await using LocalAgentRuntime runtime = await StartRuntimeAsync(_ => AgentReply.StrandsEvents(["unused"]));
        await using WebApplicationFactory<Program> sample = HostSample(runtime);
        using HttpClient http = sample.CreateClient();

        using HttpResponseMessage response = await http.SendAsync(Ask("support", " ", sessionId: null));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("The request needs a prompt.", problem.RootElement.GetProperty("detail").GetString());
        Assert.Empty(runtime.Requests);
    }

    [Fact]
    public async Task Ask_AgentFailingBeforeItAnswers_Is502()
    {
        await using LocalAgentRuntime runtime = await StartRuntimeAsync(_ => AgentReply.ServiceError(403, "AccessDeniedException", "Not allowed."));
        await using WebApplicationFactory<Program> sample = HostSample(runtime);
        using HttpClient http = sample.CreateClient();

        using HttpResponseMessage response = await http.SendAsync(Ask("support", "hi", sessionId: null));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("The agent failed (AccessDenied).", problem.RootElement.GetProperty("title").GetString());
        Assert.Contains("Not allowed.", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains(SessionHeader));
        Assert.True(Assert.Single(runtime.Requests).SignatureValid);
    }

    [Fact]
    public async Task Ask_AgentFailingMidAnswer_BreaksTheResponseOff()
    {
        // The agent's stream breaks off after the first chunk (once the test has read it through the sample): the sample
        // has sent 200 already, so it must abort the response rather than end it as if the answer were complete.
        var firstChunkRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using LocalAgentRuntime runtime = await StartRuntimeAsync(_ => AgentReply.StrandsEvents(HeldBack(["Looking that up"], firstChunkRead.Task, thenFail: true)));
        await using WebApplicationFactory<Program> sample = HostSample(runtime);
        using HttpClient http = sample.CreateClient();

        using HttpResponseMessage response = await http.SendAsync(Ask("support", "where is my order?", sessionId: null), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[4096];
        var text = new StringBuilder();
        while (text.ToString() != "Looking that up")
        {
            int read = await body.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.NotEqual(0, read);
            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        firstChunkRead.SetResult();
        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => body.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20)));

        // TestServer's words for HttpContext.Abort(): the sample broke the response off itself.
        Assert.IsType<IOException>(error);
        Assert.Equal("The application aborted the request.", Assert.IsType<OperationCanceledException>(error.InnerException).Message);
    }

    /// <summary>The first chunk, then the rest once <paramref name="release"/> completes (or, with <paramref name="thenFail"/>, a failure).</summary>
    private static async IAsyncEnumerable<string> HeldBack(string[] chunks, Task release, bool thenFail = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return chunks[0];
        await release.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
        if (thenFail)
        {
            throw new InvalidOperationException("The agent's process died mid-answer.");
        }

        foreach (string chunk in chunks.Skip(1))
        {
            yield return chunk;
        }
    }
}
