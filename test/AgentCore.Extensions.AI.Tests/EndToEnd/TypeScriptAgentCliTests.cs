// Licensed under the Apache License, Version 2.0.

using System.Text.Json;
using AgentCore.Cli;

namespace AgentCore.Extensions.AI.Tests.EndToEnd;

/// <summary>The agentcore CLI against a real agent built with the official TypeScript agent SDK, as a local container.</summary>
public sealed class TypeScriptAgentCliTests(TypeScriptAgentFixture agent) : IClassFixture<TypeScriptAgentFixture>
{
    private async Task<(int Code, string Out, string Error)> ChatAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await CliApp.RunAsync(["chat", "--runtime", agent.Url, .. args], new CliHost(stdout, stderr, new StringReader(string.Empty), _ => null, IsInteractive: false));
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Streamed_TheCliPrintsExactlyWhatTheAgentYielded()
    {
        (int code, string output, string error) = await ChatAsync("stream:Streaming  from a   TypeScript agent ");

        Assert.Equal(0, code);
        Assert.Equal("Streaming  from a   TypeScript agent \n", output);
        Assert.Contains("tokens not reported", error);
    }

    [Fact]
    public async Task MultiLineChunk_AndPlainAnswer()
    {
        Assert.Equal("line one\nline two\n  indented\n", (await ChatAsync("multiline:")).Out);
        Assert.Equal("just text\n", (await ChatAsync("--no-stream", "plain:just text")).Out);
    }

    [Fact]
    public async Task AgentFailure_MidStream_IsExit1_AfterThePartialAnswer()
    {
        (int code, string output, string error) = await ChatAsync("fail-mid:the tool crashed");

        Assert.Equal(1, code);
        Assert.Equal("first second ", output);
        Assert.Contains("error (AgentError): The agent reported an error in its answer: the tool crashed", error);
    }

    [Fact]
    public async Task Json_SessionIdReachesTheAgent()
    {
        const string SessionId = "ts-cli-session-0123456789abcdef0123456789";

        (int code, string output, _) = await ChatAsync("--json", "--session-id", SessionId, "stream:a b");

        Assert.Equal(0, code);
        JsonElement summary = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
        Assert.Equal(SessionId, summary.GetProperty("sessionId").GetString());
        Assert.Equal("stream:a b", Assert.Single(await agent.WaitForInvocationsAsync(SessionId)).GetProperty("prompt").GetString());
    }
}
