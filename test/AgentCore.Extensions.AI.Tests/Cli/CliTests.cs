// Licensed under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Text.Json;
using AgentCore.Cli;
using AgentCore.Extensions.AI.Testing;

namespace AgentCore.Extensions.AI.Tests.Cli;

/// <summary>The agentcore CLI, run in-process against local runtimes: output, --json shape, exit codes, the embedded default.</summary>
public sealed class CliTests
{
    private sealed record Run(int ExitCode, string Out, string Error);

    private static async Task<Run> RunAsync(string[] args, string stdin = "", Dictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var host = new CliHost(stdout, stderr, new StringReader(stdin), name => environment?.GetValueOrDefault(name), IsInteractive: false);
        int code = await CliApp.RunAsync(args, host, cancellationToken);
        return new Run(code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Chat_WithNoRuntimeConfigured_StartsTheEmbeddedRuntime_AndStreamsTheDemoAgentsAnswer()
    {
        Run run = await RunAsync(["chat", "Explain machine learning in simple terms"]);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("I am the local demo agent of AgentCore.Extensions.AI", run.Out);
        Assert.Contains("You asked: \"Explain machine learning in simple terms\". This is turn 1 of session agentcore-session-", run.Out);
        Assert.EndsWith("\n", run.Out);
        Assert.Matches(@"No runtime configured: using the embedded local demo agent at http://127\.0\.0\.1:\d+/ \(signed data plane\)\.", run.Error);
        Assert.Matches(@"session agentcore-session-[0-9a-f-]{36} · 6 in / \d+ out tokens · first token \d+ ms · total \d+ ms", run.Error);
    }

    [Fact]
    public async Task Chat_RuntimeFromTheEnvironment_IsUsedInsteadOfTheEmbeddedOne()
    {
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions { Agent = _ => AgentReply.PlainText("from the configured container") });

        Run run = await RunAsync(["chat", "hi"], environment: new() { ["AGENTCORE_RUNTIME_ARN"] = runtime.BaseAddress.AbsoluteUri });

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("from the configured container\n", run.Out);
        Assert.DoesNotContain("embedded", run.Error);
        Assert.Equal(AgentRoute.Container, Assert.Single(runtime.Requests).Route);
    }

    [Fact]
    public async Task Json_Streaming_OneObjectPerUpdate_ThenASummary()
    {
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions { Agent = _ => AgentReply.StrandsEvents(["one ", "two ", "three"], usage: (4, 3)) });

        Run run = await RunAsync(["chat", "--runtime", runtime.BaseAddress.AbsoluteUri, "--json", "count"]);

        Assert.Equal(0, run.ExitCode);
        List<JsonElement> lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(lines[..^1], l => Assert.Equal("update", l.GetProperty("type").GetString()));
        Assert.Equal("one two three", string.Concat(lines[..^1].Select(l => l.GetProperty("text").GetString())));
        Assert.Equal("stop", Assert.Single(lines, l => l.GetProperty("type").GetString() == "update" && l.GetProperty("finishReason").ValueKind == JsonValueKind.String).GetProperty("finishReason").GetString());
        JsonElement summary = lines[^1];
        Assert.Equal("summary", summary.GetProperty("type").GetString());
        Assert.Equal(7, summary.GetProperty("usage").GetProperty("totalTokens").GetInt32());
        Assert.Equal(lines[0].GetProperty("conversationId").GetString(), summary.GetProperty("sessionId").GetString());
        Assert.True(summary.GetProperty("timeToFirstTokenMs").GetDouble() <= summary.GetProperty("totalMs").GetDouble());
        Assert.Equal(string.Empty, run.Error);
    }

    [Fact]
    public async Task Json_NoStream_TheFinalResponseThenASummary()
    {
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions { Agent = _ => AgentReply.JsonResult("the \"whole\" answer") });

        Run run = await RunAsync(["chat", "--runtime", runtime.BaseAddress.AbsoluteUri, "--json", "--no-stream", "hi"]);

        string[] lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        JsonElement response = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal("response", response.GetProperty("type").GetString());
        Assert.Equal("the \"whole\" answer", response.GetProperty("text").GetString());
        Assert.Equal("stop", response.GetProperty("finishReason").GetString());
        Assert.Equal("summary", JsonDocument.Parse(lines[1]).RootElement.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData(new[] { "chat", "--bogus" }, "Unrecognized option '--bogus'")]
    [InlineData(new[] { "chat", "--runtime", "my-agent", "hi" }, "AgentCoreChatClientOptions.RuntimeArn 'my-agent' is not an agent runtime ARN")]
    [InlineData(new[] { "chat", "--session-id", "short", "hi" }, "ChatOptions.ConversationId must be 33 to 256 characters long, but has 5")]
    [InlineData(new[] { "chat", "--payload", "{broken", "hi" }, "--payload must be 'prompt', 'messages' or JSON text")]
    [InlineData(new[] { "chat", "--runtime", "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/a", "--region", "eu-west-1", "hi" }, "Region is 'eu-west-1' but the runtime ARN is in 'us-west-2'")]
    [InlineData(new[] { "stop-session", "--session-id", "local-test-session-0123456789abcdef0123" }, "stop-session needs a hosted runtime")]
    [InlineData(new[] { "stop-session" }, "Option '--session-id' is required")]
    [InlineData(new[] { "ping", "--runtime", "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/a" }, "--runtime must be an agent container's http(s) URL")]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'")]
    public async Task UsageErrors_ExitWith2_AndSayWhatIsWrong(string[] args, string expected)
    {
        Run run = await RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public async Task ServiceErrors_ExitWith1_WithoutAStackTrace_UnlessVerbose()
    {
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions { Agent = _ => AgentReply.ServiceError(403, "AccessDeniedException", "not allowed") });
        string[] args = ["chat", "--runtime", runtime.RuntimeArn, "--endpoint", runtime.BaseAddress.AbsoluteUri, "--bearer-token", "secret-bearer-token", "hi"];

        Run quiet = await RunAsync(args);
        Run verbose = await RunAsync([.. args, "--verbose"]);

        Assert.Equal(1, quiet.ExitCode);
        Assert.Contains("error (AccessDenied): AgentCore Runtime answered 403 AccessDeniedException: not allowed", quiet.Error);
        Assert.DoesNotContain("   at ", quiet.Error);
        Assert.Equal(1, verbose.ExitCode);
        Assert.Contains("   at ", verbose.Error);
        Assert.Contains("> Authorization: Bearer <redacted>", verbose.Error);
        Assert.Contains("< x-amzn-ErrorType: AccessDeniedException", verbose.Error);
        Assert.DoesNotContain("secret-bearer-token", quiet.Error + verbose.Error + quiet.Out + verbose.Out);
    }

    [Fact]
    public async Task Verbose_RedactsTheSignature_AndTheAccessKey()
    {
        Run run = await RunAsync(["chat", "--verbose", "hi"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"> Authorization: AWS4-HMAC-SHA256 Credential=<redacted>/\d{8}/us-west-2/bedrock-agentcore/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=<redacted>", run.Error);
        Assert.DoesNotContain("AKIDLOCALAGENTRUNTIME", run.Error);
        Assert.Contains("> X-Amzn-Bedrock-AgentCore-Runtime-Session-Id: agentcore-session-", run.Error);
        Assert.Contains("< 200 OK", run.Error);
    }

    [Fact]
    public async Task Repl_KeepsTheSessionAcrossTurns_AndNewStartsAnother()
    {
        Run run = await RunAsync(["chat"], stdin: "first question\nsecond question\n/new\nthird question\n/exit\nnever sent\n");

        Assert.Equal(0, run.ExitCode);
        string[] answers = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, answers.Length);
        Assert.Contains("This is turn 1 of session", answers[0]);
        Assert.Contains("This is turn 2 of session", answers[1]);
        Assert.Contains("Earlier in this session you asked: \"first question\".", answers[1]);
        Assert.Contains("This is turn 1 of session", answers[2]);
        string Session(string answer) => answer.Split("of session ")[1].Split('.')[0];
        Assert.Equal(Session(answers[0]), Session(answers[1]));
        Assert.NotEqual(Session(answers[0]), Session(answers[2]));
        Assert.DoesNotContain("never sent", run.Out);
    }

    [Fact]
    public async Task Repl_AFailedTurnIsPrinted_AndTheChatGoesOn()
    {
        int calls = 0;
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            Agent = _ => ++calls == 1 ? AgentReply.StreamThenError(["half "], "tool crashed") : AgentReply.PlainText("recovered"),
        });

        Run run = await RunAsync(["chat", "--runtime", runtime.BaseAddress.AbsoluteUri], stdin: "one\ntwo\n");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("error (AgentError): The agent reported an error in its answer (RuntimeError): tool crashed", run.Error);
        Assert.EndsWith("recovered\n", run.Out);
    }

    [Fact]
    public async Task Options_ReachTheWire_SessionUserQualifierAndPayload()
    {
        AgentInvocation? seen = null;
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions { Agent = i => { seen = i; return AgentReply.JsonResult("ok"); } });
        const string SessionId = "cli-options-session-0123456789abcdef012345";

        Run run = await RunAsync(["chat", "--runtime", runtime.RuntimeArn, "--endpoint", runtime.BaseAddress.AbsoluteUri, "--bearer-token", "t",
            "--qualifier", "production", "--session-id", SessionId, "--user-id", "user-9", "--payload", """{"input":"custom","n":2}"""]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("ok\n", run.Out);
        Assert.NotNull(seen);
        Assert.Equal(SessionId, seen.SessionId);
        Assert.Equal("production", seen.Qualifier);
        Assert.Equal("user-9", seen.UserId);
        Assert.Equal("""{"input":"custom","n":2}""", seen.PayloadText);
    }

    [Fact]
    public async Task MessagesPayload_SendsTheReplHistory()
    {
        var payloads = new List<string>();
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions { Agent = i => { payloads.Add(i.PayloadText); return AgentReply.JsonResult("A" + payloads.Count); } });

        Run run = await RunAsync(["chat", "--runtime", runtime.BaseAddress.AbsoluteUri, "--payload", "messages"], stdin: "q1\nq2\n");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""{"messages":[{"role":"user","content":"q1"}]}""", payloads[0]);
        Assert.Equal("""{"messages":[{"role":"user","content":"q1"},{"role":"assistant","content":"A1"},{"role":"user","content":"q2"}]}""", payloads[1]);
    }

    [Fact]
    public async Task StopSession_And_Ping()
    {
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions { Agent = _ => AgentReply.JsonResult("ok") });
        const string SessionId = "cli-stop-session-0123456789abcdef01234567";
        string[] target = ["--runtime", runtime.RuntimeArn, "--endpoint", runtime.BaseAddress.AbsoluteUri, "--bearer-token", "t"];
        Assert.Equal(0, (await RunAsync(["chat", .. target, "--session-id", SessionId, "hi"])).ExitCode);

        Run stopped = await RunAsync(["stop-session", .. target, "--session-id", SessionId]);
        Run again = await RunAsync(["stop-session", .. target, "--session-id", SessionId]);
        Run ping = await RunAsync(["ping", "--runtime", runtime.BaseAddress.AbsoluteUri]);

        Assert.Equal(0, stopped.ExitCode);
        Assert.Equal($"Stopped session {SessionId}.\n", stopped.Out);
        Assert.Empty(runtime.GetHistory(SessionId));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("error (NotFound)", again.Error);
        Assert.Equal(0, ping.ExitCode);
        Assert.Contains("\"status\":\"Healthy\"", ping.Out);
    }

    [Fact]
    public async Task CtrlC_CancelsTheStreamCleanly()
    {
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions { Agent = _ => AgentReply.StrandsEvents(Enumerable.Range(0, 200).Select(i => $"w{i} "), delay: TimeSpan.FromMilliseconds(50)) });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(600));
        var clock = Stopwatch.StartNew();

        Run run = await RunAsync(["chat", "--runtime", runtime.BaseAddress.AbsoluteUri, "slow"], cancellationToken: cts.Token);

        Assert.Equal(130, run.ExitCode);
        Assert.StartsWith("w0 w1 ", run.Out);
        Assert.Contains("Cancelled.", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task TheBuiltProgram_RunsTheReadmeCommand()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "agentcore.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "exec", dll, "chat", "Explain machine learning in simple terms" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("AGENTCORE_RUNTIME_ARN");
        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Contains("You asked: \"Explain machine learning in simple terms\"", await stdout);
        Assert.Contains("embedded local demo agent", await stderr);
    }
}
