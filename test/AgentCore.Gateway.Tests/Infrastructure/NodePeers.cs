// Licensed under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace AgentCore.Gateway.Tests.Infrastructure;

/// <summary>
/// Runs the JavaScript peers in <c>test/peers</c> (installed by <c>test/run-all.sh</c> with <c>npm ci</c>): here the
/// official <c>openai</c> npm client, through <c>openai-chat.mjs</c>. Copied in part from the library's test project.
/// </summary>
internal static class NodePeers
{
    private static readonly Lazy<string> PeersDirectory = new(() =>
    {
        string candidate = Path.Combine(RepositoryPaths.Root, "test", "peers");
        if (!Directory.Exists(Path.Combine(candidate, "node_modules", "openai")))
        {
            throw new InvalidOperationException($"{candidate}/node_modules/openai is missing: run the tests with test/run-all.sh, which runs 'npm ci --prefix test/peers' first.");
        }

        return candidate;
    });

    /// <summary>Runs <c>node script arguments...</c> and returns its standard output; fails with its standard error on a non-zero exit.</summary>
    public static async Task<string> RunAsync(string script, params string[] arguments)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = PeersDirectory.Value,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(Path.Combine(PeersDirectory.Value, script));
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("node could not be started.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} did not finish within 60 s: {await stderr}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"node {script} exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }

    /// <summary>Runs <c>openai-chat.mjs</c> (the official <c>openai</c> client) and parses its JSON answer.</summary>
    public static async Task<JsonElement> OpenAiChatAsync(Uri gateway, string apiKey, string model, string prompt, bool stream, string? runtimeSessionId = null)
    {
        var arguments = new List<string> { new Uri(gateway, "v1").AbsoluteUri, apiKey, model, prompt, stream ? "true" : "false" };
        if (runtimeSessionId is not null)
        {
            arguments.Add(runtimeSessionId);
        }

        string output = await RunAsync("openai-chat.mjs", [.. arguments]);
        using JsonDocument document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }
}
