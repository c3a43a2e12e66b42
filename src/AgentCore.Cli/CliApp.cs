// Licensed under the Apache License, Version 2.0.

using System;
using System.CommandLine;
using System.Threading;
using System.Threading.Tasks;
using AgentCore.Extensions.AI;
using Spectre.Console;

namespace AgentCore.Cli;

/// <summary>The <c>agentcore</c> command line: parsing, dispatch and the mapping of failures to exit codes.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("agentcore: chat with agents on Amazon Bedrock AgentCore Runtime (or the embedded local demo agent).");
        root.Subcommands.Add(new ChatCommand(host).Command);
        root.Subcommands.Add(new StopSessionCommand(host).Command);
        root.Subcommands.Add(new PingCommand(host).Command);

        ParseResult parse = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = host.Out, Error = host.Error };
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await host.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            }

            await host.Error.WriteLineAsync("Run 'agentcore --help' or 'agentcore <command> --help' for usage.").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a command's work and turns its failures into a printed error and an exit code.</summary>
    public static async Task<int> Guard(CliHost host, bool verbose, Func<Task<int>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (AgentCoreException e)
        {
            PrintServiceError(host, e, verbose);
            return ExitCodes.ServiceError;
        }
        catch (Exception e) when (e is UsageException or ArgumentException or NotSupportedException)
        {
            host.ErrorConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            if (verbose)
            {
                host.ErrorConsole.WriteLine(e.ToString());
            }

            return ExitCodes.UsageError;
        }
        catch (OperationCanceledException)
        {
            host.ErrorConsole.MarkupLine("[grey]Cancelled.[/]");
            return ExitCodes.Cancelled;
        }
    }

    public static void PrintServiceError(CliHost host, AgentCoreException e, bool verbose)
    {
        host.ErrorConsole.MarkupLineInterpolated($"[red]error ({e.Kind}):[/] {e.Message}");
        if (e.SessionId is not null)
        {
            host.ErrorConsole.MarkupLineInterpolated($"[grey]session {e.SessionId}{(e.RequestId is null ? string.Empty : $" · request {e.RequestId}")}[/]");
        }

        if (verbose)
        {
            host.ErrorConsole.WriteLine(e.ToString());
        }
    }
}
