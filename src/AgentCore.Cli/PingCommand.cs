// Licensed under the Apache License, Version 2.0.

using System;
using System.CommandLine;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace AgentCore.Cli;

/// <summary><c>agentcore ping --runtime http://host:port</c>: a local agent container's health (<c>GET /ping</c>).</summary>
internal sealed class PingCommand
{
    private readonly Option<string> _runtime = new("--runtime") { Description = "The agent container's URL, e.g. http://localhost:8080.", Required = true, HelpName = "URL" };

    public PingCommand(CliHost host)
    {
        Command = new Command("ping", "Check a local agent container's health (GET /ping). Exit 0 when Healthy or HealthyBusy.");
        Command.Options.Add(_runtime);
        Command.SetAction((parse, cancellationToken) => CliApp.Guard(host, verbose: false, async () =>
        {
            string given = parse.GetValue(_runtime)!;
            if (!Uri.TryCreate(given, UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"--runtime must be an agent container's http(s) URL, such as http://localhost:8080; '{given}' is not. Hosted runtimes have no ping.");
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            string body;
            try
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri(url, "/ping"), cancellationToken).ConfigureAwait(false);
                body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    await host.Error.WriteLineAsync($"error: {url} answered {(int)response.StatusCode} {response.ReasonPhrase} to /ping.").ConfigureAwait(false);
                    return ExitCodes.ServiceError;
                }
            }
            catch (HttpRequestException e)
            {
                await host.Error.WriteLineAsync($"error: {url} could not be reached: {e.Message}").ConfigureAwait(false);
                return ExitCodes.ServiceError;
            }

            await host.Out.WriteLineAsync(body).ConfigureAwait(false);
            string? status = null;
            try
            {
                using JsonDocument document = JsonDocument.Parse(body);
                status = document.RootElement.TryGetProperty("status", out JsonElement value) ? value.GetString() : null;
            }
            catch (JsonException)
            {
            }

            return status is "Healthy" or "HealthyBusy" ? ExitCodes.Success : ExitCodes.ServiceError;
        }));
    }

    public Command Command { get; }
}
