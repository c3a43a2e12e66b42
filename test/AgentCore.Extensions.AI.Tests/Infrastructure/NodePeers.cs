// Licensed under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Text;

namespace AgentCore.Extensions.AI.Tests.Infrastructure;

/// <summary>
/// Runs the JavaScript peers in <c>test/peers</c> (installed by <c>test/run-all.sh</c> with <c>npm ci</c>): real
/// implementations nobody in this project wrote, used to check our behaviour against theirs.
/// </summary>
public static class NodePeers
{
    private static readonly Lazy<string> PeersDirectory = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "test", "peers");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                if (!Directory.Exists(Path.Combine(candidate, "node_modules")))
                {
                    throw new InvalidOperationException($"{candidate}/node_modules is missing: run the tests with test/run-all.sh, which runs 'npm ci --prefix test/peers' first.");
                }

                return candidate;
            }
        }

        throw new InvalidOperationException("test/peers was not found above " + AppContext.BaseDirectory);
    });

    /// <summary>Gets the folder of the peers.</summary>
    public static string Folder => PeersDirectory.Value;

    /// <summary>Runs <c>node script</c> with <paramref name="stdin"/> and returns its standard output; fails with its standard error on a non-zero exit.</summary>
    public static async Task<string> RunAsync(string script, string stdin, TimeSpan? timeout = null)
    {
        using Process process = Start(script, redirectStdin: true);
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();

        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"node {script} exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }

    /// <summary>
    /// Starts a long-running peer (a server) and waits until it prints a line starting with <paramref name="readyPrefix"/>;
    /// returns the process and the rest of that line (for example the port it listens on).
    /// </summary>
    public static async Task<(NodeProcess Process, string ReadyLine)> StartAsync(string script, string readyPrefix, params string[] arguments)
    {
        Process process = Start(script, redirectStdin: false, arguments);
        var node = new NodeProcess(process);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            string? line = await process.StandardOutput.ReadLineAsync(cts.Token);
            if (line is null)
            {
                node.Dispose();
                throw new InvalidOperationException($"node {script} exited before it was ready: {node.StandardError}");
            }

            if (line.StartsWith(readyPrefix, StringComparison.Ordinal))
            {
                node.StartPumpingOutput();
                return (node, line[readyPrefix.Length..].Trim());
            }
        }
    }

    private static Process Start(string script, bool redirectStdin, params string[] arguments)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = Folder,
            RedirectStandardInput = redirectStdin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(Path.Combine(Folder, script));
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("node could not be started.");
    }
}

/// <summary>A running node peer; its output lines are collected, and disposing kills it.</summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _stdout = [];

    internal NodeProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Gets the lines the peer printed after it was ready.</summary>
    public IReadOnlyList<string> OutputLines
    {
        get
        {
            lock (_stdout)
            {
                return [.. _stdout];
            }
        }
    }

    /// <summary>Waits until the peer prints a line that satisfies <paramref name="match"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            string? found = OutputLines.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"The peer printed no matching line within {timeout}. Output: {string.Join(" | ", OutputLines)} Errors: {StandardError}");
    }

    internal void StartPumpingOutput()
    {
        _ = Task.Run(async () =>
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (_stdout)
                {
                    _stdout.Add(line);
                }
            }
        });
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
