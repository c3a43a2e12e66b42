// Licensed under the Apache License, Version 2.0.

using System.CommandLine;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using AgentCore.Extensions.AI;

namespace AgentCore.Cli;

/// <summary><c>agentcore stop-session --session-id ID</c>: ends a runtime session (StopRuntimeSession).</summary>
internal sealed class StopSessionCommand
{
    private readonly RuntimeOptions _runtime = new();
    private readonly Option<string> _sessionId = new("--session-id") { Description = "The session to stop.", Required = true };

    public StopSessionCommand(CliHost host)
    {
        Command = new Command("stop-session", "Stop a runtime session, ending its microVM and the agent's in-memory state.");
        _runtime.AddTo(Command);
        Command.Options.Add(_sessionId);
        Command.SetAction((parse, cancellationToken) => CliApp.Guard(host, parse.GetValue(_runtime.Verbose), async () =>
        {
            string runtime = _runtime.ConfiguredRuntime(parse, host)
                ?? throw new UsageException($"stop-session needs a hosted runtime: pass --runtime ARN or set {RuntimeOptions.RuntimeVariable}.");
            using HttpClient http = _runtime.CreateHttpClient(parse, host);
            using var client = new AgentCoreChatClient(_runtime.ClientOptions(parse, host, runtime), http);
            string sessionId = parse.GetValue(_sessionId)!;
            await client.StopRuntimeSessionAsync(sessionId, cancellationToken: cancellationToken).ConfigureAwait(false);
            await host.Out.WriteLineAsync($"Stopped session {sessionId}.").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
    }

    public Command Command { get; }
}
