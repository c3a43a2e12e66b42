// Licensed under the Apache License, Version 2.0.

using System.Collections;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AgentCore.Gateway.Tests.Infrastructure;

/// <summary>
/// The real program, <c>dotnet exec agentcore-gateway.dll --config … --port … --host 127.0.0.1</c>, in a clean environment:
/// no AWS variables or files from the machine, only the variables a test gives it.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    /// <summary>Gets what the process printed so far (standard output and error, interleaved by line).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the gateway and waits until <c>/health/readiness</c> answers.</summary>
    public static async Task<GatewayProcess> StartAsync(string configPath, IReadOnlyDictionary<string, string> environment, int? port = null)
    {
        int chosen = port ?? FreePort();
        Process process = Process.Start(Info(["--config", configPath, "--port", chosen.ToString(System.Globalization.CultureInfo.InvariantCulture), "--host", "127.0.0.1"], environment))
            ?? throw new InvalidOperationException("dotnet could not be started.");
        var gateway = new GatewayProcess(process, chosen);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                throw new InvalidOperationException($"The gateway exited with {process.ExitCode} before it was ready: {gateway.Output}");
            }

            try
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri(gateway.BaseAddress, "health/readiness"));
                if (response.IsSuccessStatusCode)
                {
                    return gateway;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        await gateway.DisposeAsync();
        throw new TimeoutException($"The gateway was not ready within 30 s: {gateway.Output}");
    }

    /// <summary>Runs the gateway with <paramref name="arguments"/> until it exits (start-up errors): exit code, standard output, standard error.</summary>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunToExitAsync(string[] arguments, IReadOnlyDictionary<string, string> environment)
    {
        using Process process = Process.Start(Info(arguments, environment)) ?? throw new InvalidOperationException("dotnet could not be started.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The gateway did not exit within 30 s: {await stdout} {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The environment a child process of the tests gets: the machine's, without anything AWS, OTEL or gateway, plus <paramref name="environment"/>.</summary>
    public static void CleanEnvironment(IDictionary<string, string?> target, IReadOnlyDictionary<string, string> environment)
    {
        foreach (string name in target.Keys.ToList())
        {
            if (name.StartsWith("AWS_", StringComparison.Ordinal) || name.StartsWith("OTEL_", StringComparison.Ordinal) ||
                name.StartsWith("AGENTCORE_", StringComparison.Ordinal) || name.StartsWith("ASPNETCORE_", StringComparison.Ordinal) ||
                name.StartsWith("LITELLM_", StringComparison.Ordinal))
            {
                target.Remove(name);
            }
        }

        target["AWS_EC2_METADATA_DISABLED"] = "true";
        target["AWS_CONFIG_FILE"] = "/dev/null";
        target["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        target["DOTNET_NOLOGO"] = "1";
        foreach ((string name, string value) in environment)
        {
            target[name] = value;
        }
    }

    private static ProcessStartInfo Info(string[] arguments, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(RepositoryPaths.GatewayDll);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        CleanEnvironment(info.Environment, environment);
        return info;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
