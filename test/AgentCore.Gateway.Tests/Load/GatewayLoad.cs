// Licensed under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AgentCore.Extensions.AI;
using AgentCore.Extensions.AI.Testing;
using AgentCore.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace AgentCore.Gateway.Tests.Load;

/// <summary>
/// Requests per second and latency of the gateway against calling <see cref="AgentCoreChatClient"/> directly, on the same
/// <see cref="LocalAgentRuntime"/>: a closed loop of N concurrent callers for a fixed time, after a warm-up, for a small
/// non-streamed answer and a streamed one. The gateway is the real program in its own process (Release build), called
/// as an OpenAI client would (HTTP POST, the JSON or SSE answer read and parsed); the direct client runs in this process.
/// Not a test: nothing is asserted about time. <c>--wrk</c> adds wrk's view of the gateway (and of the runtime alone).
/// </summary>
internal static class GatewayLoad
{
    private const string SmallAnswer = "The agent's short answer.";

    /// <summary>The streamed answer: 20 deltas of one word each, with usage.</summary>
    private static readonly string[] StreamedWords = [.. Enumerable.Range(1, 20).Select(static i => $"word{i} ")];

    public static async Task<int> RunAsync(string[] args)
    {
        int seconds = IntOption(args, "--seconds", 10);
        int warmup = IntOption(args, "--warmup", 3);
        int[] concurrencies = [.. (Option(args, "--concurrency") ?? "1,16").Split(',').Select(static c => int.Parse(c, CultureInfo.InvariantCulture))];
        bool wrk = args.Contains("--wrk");

        await using LocalAgentRuntime runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            RuntimeArn = Seed.Arn1,
            Agent = static invocation => invocation.Prompt == "stream"
                ? AgentReply.StrandsEvents(StreamedWords, usage: (3, StreamedWords.Length))
                : AgentReply.JsonResult(SmallAnswer),
            VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
        });

        string configPath = Path.Combine(Directory.CreateTempSubdirectory("gateway-load-").FullName, "config.yaml");
        await File.WriteAllTextAsync(configPath, Configs.Yaml(Configs.DataPlane("my-agent", runtime)));
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(configPath, new Dictionary<string, string>(Configs.Environment)
        {
            // As a deployment would run it: the gateway's one request line per request, not ASP.NET Core's and HttpClient's
            // five more at Information (console logging to a pipe is part of what is measured).
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__AgentCore.Gateway"] = "Information",
        });

        using AgentCoreChatClient direct = runtime.CreateChatClient();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = gateway.BaseAddress,
        };

        var scenarios = new (string Name, Func<CancellationToken, Task<string>> Direct, Func<CancellationToken, Task<string>> Gateway, string Expected)[]
        {
            ("non-streamed, 25-character answer", ct => DirectPlainAsync(direct, ct), ct => GatewayPlainAsync(http, ct), SmallAnswer),
            ("streamed, 20 deltas + usage", ct => DirectStreamedAsync(direct, ct), ct => GatewayStreamedAsync(http, ct), string.Concat(StreamedWords)),
        };

        Console.WriteLine(Describe(seconds, warmup, concurrencies));
        var rows = new List<string>
        {
            "| scenario | callers | direct req/s | gateway req/s | gateway ÷ direct | direct p50 / p99 ms | gateway p50 / p99 ms | added p50 / p99 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        };
        foreach ((string name, Func<CancellationToken, Task<string>> callDirect, Func<CancellationToken, Task<string>> callGateway, string expected) in scenarios)
        {
            // Both paths must give the agent's exact text before anything is timed.
            Check(name, "direct", expected, await callDirect(CancellationToken.None));
            Check(name, "gateway", expected, await callGateway(CancellationToken.None));
            foreach (int callers in concurrencies)
            {
                Result d = await MeasureAsync(callDirect, callers, warmup, seconds);
                Result g = await MeasureAsync(callGateway, callers, warmup, seconds);
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {callers} | {d.RequestsPerSecond:F0} | {g.RequestsPerSecond:F0} | {g.RequestsPerSecond / d.RequestsPerSecond:F2} | {d.P50:F2} / {d.P99:F2} | {g.P50:F2} / {g.P99:F2} | {g.P50 - d.P50:F2} / {g.P99 - d.P99:F2} |"));
                Console.WriteLine(rows[^1]);
            }
        }

        Console.WriteLine();
        Console.WriteLine(string.Join(Environment.NewLine, rows));

        if (wrk)
        {
            Console.WriteLine();
            await RunWrkAsync(gateway.BaseAddress, runtime.BaseAddress, concurrencies.Max(), seconds);
        }

        Directory.Delete(Path.GetDirectoryName(configPath)!, recursive: true);
        return 0;
    }

    private static async Task<string> DirectPlainAsync(IChatClient client, CancellationToken cancellationToken) =>
        (await client.GetResponseAsync("plain", cancellationToken: cancellationToken)).Text;

    private static async Task<string> DirectStreamedAsync(IChatClient client, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("stream", cancellationToken: cancellationToken))
        {
            text.Append(update.Text);
        }

        return text.ToString();
    }

    private static readonly byte[] PlainBody = JsonSerializer.SerializeToUtf8Bytes(InProcessGateway.Body("my-agent", "plain"));
    private static readonly byte[] StreamBody = JsonSerializer.SerializeToUtf8Bytes(InProcessGateway.Body("my-agent", "stream", stream: true));

    private static HttpRequestMessage Post(byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Configs.MasterKey);
        return request;
    }

    private static async Task<string> GatewayPlainAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = Post(PlainBody);
        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        return document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }

    private static async Task<string> GatewayStreamedAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = Post(StreamBody);
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        var text = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                using JsonDocument chunk = JsonDocument.Parse(line.AsMemory("data: ".Length));
                if (chunk.RootElement.GetProperty("choices") is { } choices && choices.GetArrayLength() > 0 &&
                    choices[0].GetProperty("delta").TryGetProperty("content", out JsonElement content))
                {
                    text.Append(content.GetString());
                }
            }
        }

        return text.ToString();
    }

    private static void Check(string scenario, string path, string expected, string actual)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"{scenario}, {path}: expected '{expected}' but got '{actual}'.");
        }
    }

    private sealed record Result(double RequestsPerSecond, double P50, double P99);

    /// <summary>Runs <paramref name="callers"/> closed-loop callers: <paramref name="warmup"/> s untimed, then <paramref name="seconds"/> s timed.</summary>
    private static async Task<Result> MeasureAsync(Func<CancellationToken, Task<string>> call, int callers, int warmup, int seconds)
    {
        using (var warm = new CancellationTokenSource(TimeSpan.FromSeconds(warmup)))
        {
            await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => LoopAsync(call, null, warm.Token)));
        }

        var latencies = Enumerable.Range(0, callers).Select(static _ => new List<double>(16_384)).ToArray();
        var clock = Stopwatch.StartNew();
        using (var timed = new CancellationTokenSource(TimeSpan.FromSeconds(seconds)))
        {
            await Task.WhenAll(latencies.Select(list => LoopAsync(call, list, timed.Token)));
        }

        double elapsed = clock.Elapsed.TotalSeconds;
        double[] all = [.. latencies.SelectMany(static l => l).Order()];
        return new Result(all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static async Task LoopAsync(Func<CancellationToken, Task<string>> call, List<double>? latencies, CancellationToken stop)
    {
        await Task.Yield();
        while (!stop.IsCancellationRequested)
        {
            long start = Stopwatch.GetTimestamp();

            // Each call runs to its end: the stop token only ends the loop, so no call is timed half-way.
            await call(CancellationToken.None);
            latencies?.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>wrk against the gateway (non-streamed and streamed) and, for scale, the runtime's container route alone.</summary>
    private static async Task RunWrkAsync(Uri gateway, Uri runtime, int connections, int seconds)
    {
        string folder = Directory.CreateTempSubdirectory("gateway-wrk-").FullName;
        string Script(string name, string path, byte[] body, bool auth)
        {
            string file = Path.Combine(folder, name + ".lua");
            File.WriteAllText(file,
                $"wrk.method = \"POST\"\nwrk.path = \"{path}\"\nwrk.body = [[{Encoding.UTF8.GetString(body)}]]\n" +
                "wrk.headers[\"Content-Type\"] = \"application/json\"\n" +
                (auth ? $"wrk.headers[\"Authorization\"] = \"Bearer {Configs.MasterKey}\"\n" : string.Empty));
            return file;
        }

        (string Title, string Url, string Script)[] runs =
        [
            ("gateway, non-streamed", gateway.AbsoluteUri, Script("plain", "/v1/chat/completions", PlainBody, auth: true)),
            ("gateway, streamed", gateway.AbsoluteUri, Script("stream", "/v1/chat/completions", StreamBody, auth: true)),
            ("runtime alone (/invocations, unsigned), non-streamed", runtime.AbsoluteUri, Script("runtime", "/invocations", "{\"prompt\":\"plain\"}"u8.ToArray(), auth: false)),
        ];
        foreach ((string title, string url, string script) in runs)
        {
            var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string argument in new[] { "-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", script, url })
            {
                info.ArgumentList.Add(argument);
            }

            Console.WriteLine($"## wrk {string.Join(' ', info.ArgumentList.Select(a => a == script ? Path.GetFileName(a) : a))}   ({title})");
            using Process process = Process.Start(info) ?? throw new InvalidOperationException("wrk could not be started (apt-get install -y wrk).");
            string output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Console.WriteLine(output);
            if (process.ExitCode != 0 || output.Contains("Non-2xx", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"wrk did not get only successful answers ({title}): the numbers above do not count.");
            }
        }

        Directory.Delete(folder, recursive: true);
    }

    private static string Describe(int seconds, int warmup, int[] concurrencies) =>
        string.Create(CultureInfo.InvariantCulture,
            $"# gateway load: {Environment.ProcessorCount} logical CPUs, .NET {Environment.Version}, {seconds} s timed after {warmup} s warm-up, callers {string.Join(", ", concurrencies)}, load average {LoadAverage()}");

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string? Option(string[] args, string name)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
