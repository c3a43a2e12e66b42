// Licensed under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Text;
using System.Text.Json;
using AgentCore.Extensions.AI.Testing;
using AgentCore.Gateway.Tests.Infrastructure;

namespace AgentCore.Gateway.Tests;

/// <summary>
/// The seed's own example, end to end: the real program (<c>dotnet exec agentcore-gateway.dll</c>) with the shipped
/// <c>src/AgentCore.Gateway/config.yaml</c> unchanged, and the page's two curl commands run verbatim by bash with
/// <c>$LITELLM_API_KEY</c> set to the master key.
/// </summary>
/// <remarks>
/// The config has no <c>api_base</c>, so the two runtimes (two regions, two accounts) are reached the AWS SDK way, through
/// <c>AWS_ENDPOINT_URL_BEDROCK_AGENTCORE</c>: one endpoint, an <see cref="ArnRouter"/> in front of one
/// <see cref="LocalAgentRuntime"/> per ARN, each verifying the gateway's SigV4 signature for its own region. The commands
/// say <c>http://localhost:4000</c>; a <c>.curlrc</c> in <c>CURL_HOME</c> (<c>connect-to</c>) sends that to the port the
/// gateway got, so the commands run character for character and the suite does not need port 4000 to be free.
/// </remarks>
public sealed class SeedCurlTests : IAsyncLifetime
{
    private static readonly string[] Answer1 = ["Cloud computing ", "trades capital expense ", "for elastic, ", "pay-as-you-go capacity."];
    private static readonly string[] Answer2 = ["SQL databases are relational; ", "NoSQL databases ", "trade joins for scale."];

    private LocalAgentRuntime _runtime1 = null!;
    private LocalAgentRuntime _runtime2 = null!;
    private ArnRouter _router = null!;
    private GatewayProcess _gateway = null!;
    private string _curlHome = null!;

    public async Task InitializeAsync()
    {
        _runtime1 = await Agents.StartRuntimeAsync(_ => AgentReply.StrandsEvents(Answer1, usage: (9, 14)), Seed.Arn1);
        _runtime2 = await Agents.StartRuntimeAsync(_ => AgentReply.StrandsEvents(Answer2, usage: (11, 10)), Seed.Arn2);
        _router = await ArnRouter.StartAsync(_runtime1, _runtime2);
        _gateway = await GatewayProcess.StartAsync(RepositoryPaths.ShippedConfig, new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = "AKIDLOCALAGENTRUNTIME",
            ["AWS_SECRET_ACCESS_KEY"] = "local-agent-runtime-test-secret-key",
            ["LITELLM_API_KEY"] = Configs.MasterKey,
            ["AWS_ENDPOINT_URL_BEDROCK_AGENTCORE"] = _router.BaseAddress.AbsoluteUri,
        });
        _curlHome = Directory.CreateTempSubdirectory("gateway-curl-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_curlHome, ".curlrc"), $"connect-to = \"localhost:4000:127.0.0.1:{_gateway.Port}\"\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _router.DisposeAsync();
        await _runtime1.DisposeAsync();
        await _runtime2.DisposeAsync();
        Directory.Delete(_curlHome, recursive: true);
    }

    [Fact]
    public async Task BasicRequest_AnswersWithAChatCompletion_FromRuntime1()
    {
        string output = await RunCurlAsync(Seed.BasicCurl);

        using JsonDocument document = JsonDocument.Parse(output);
        JsonElement root = document.RootElement;
        Assert.StartsWith("chatcmpl-", root.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.Equal("agentcore-runtime-1", root.GetProperty("model").GetString());
        JsonElement choice = Assert.Single(root.GetProperty("choices").EnumerateArray());
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal(string.Concat(Answer1), choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(9, root.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(14, root.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(23, root.GetProperty("usage").GetProperty("total_tokens").GetInt32());

        RecordedAgentRequest upstream = Assert.Single(_runtime1.Requests);
        Assert.Empty(_runtime2.Requests);
        Assert.True(upstream.SignatureValid);
        Assert.Contains("/us-west-2/bedrock-agentcore/aws4_request", upstream.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal(upstream.SessionId, root.GetProperty("agentcore_session_id").GetString());
        Assert.Equal("Summarize the main benefits of cloud computing", Assert.Single(_runtime1.GetHistory(upstream.SessionId!)).Prompt);
    }

    [Fact]
    public async Task StreamingRequest_StreamsChunksEndingWithDone_FromRuntime2()
    {
        string output = await RunCurlAsync(Seed.StreamingCurl);

        IReadOnlyList<JsonElement> chunks = Sse.ChunksOf(output);
        Assert.All(chunks, static c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.All(chunks, static c => Assert.Equal("agentcore-runtime-2", c.GetProperty("model").GetString()));
        Assert.Single(chunks.Select(static c => c.GetProperty("id").GetString()).Distinct());
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal(Answer2, Sse.Deltas(chunks));
        Assert.Equal(["stop"], Sse.FinishReasons(chunks));
        Assert.Equal("stop", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());

        RecordedAgentRequest upstream = Assert.Single(_runtime2.Requests);
        Assert.Empty(_runtime1.Requests);
        Assert.True(upstream.SignatureValid);
        Assert.Contains("/us-east-1/bedrock-agentcore/aws4_request", upstream.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal(upstream.SessionId, chunks[0].GetProperty("agentcore_session_id").GetString());
        Assert.Equal("Explain the differences between SQL and NoSQL databases", Assert.Single(_runtime2.GetHistory(upstream.SessionId!)).Prompt);
    }

    [Fact]
    public async Task ModelsAndHealth_ListBothModelNames_AndTheKeyIsRequired()
    {
        string models = await RunCurlAsync("curl -s http://localhost:4000/v1/models -H \"Authorization: Bearer $LITELLM_API_KEY\"");
        using JsonDocument document = JsonDocument.Parse(models);
        Assert.Equal("list", document.RootElement.GetProperty("object").GetString());
        Assert.Equal(["agentcore-runtime-1", "agentcore-runtime-2"], document.RootElement.GetProperty("data").EnumerateArray().Select(static m => m.GetProperty("id").GetString()));

        Assert.Equal("401", await RunCurlAsync("curl -s -o /dev/null -w '%{http_code}' http://localhost:4000/v1/models"));
        Assert.Equal("200", await RunCurlAsync("curl -s -o /dev/null -w '%{http_code}' http://localhost:4000/health/liveliness"));
        Assert.Equal("200", await RunCurlAsync("curl -s -o /dev/null -w '%{http_code}' http://localhost:4000/health/readiness"));

        // The master key is set: the gateway says nothing about loopback-only.
        Assert.DoesNotContain("master_key", _gateway.Output, StringComparison.Ordinal);
    }

    /// <summary>Runs a command with bash, as a user pastes it: <c>$LITELLM_API_KEY</c> set, the curlrc of this test.</summary>
    private async Task<string> RunCurlAsync(string command)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        GatewayProcess.CleanEnvironment(info.Environment, new Dictionary<string, string>
        {
            ["LITELLM_API_KEY"] = Configs.MasterKey,
            ["CURL_HOME"] = _curlHome,
        });
        info.Environment.Remove("XDG_CONFIG_HOME");
        info.Environment.Remove("http_proxy");
        info.Environment.Remove("HTTP_PROXY");

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"curl exited with {process.ExitCode}: {await stderr}\nGateway: {_gateway.Output}");
        return await stdout;
    }
}
