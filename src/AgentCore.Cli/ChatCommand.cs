// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using AgentCore.Extensions.AI;
using AgentCore.Extensions.AI.Testing;
using Microsoft.Extensions.AI;
using Spectre.Console;

namespace AgentCore.Cli;

/// <summary><c>agentcore chat [prompt]</c>: one turn when a prompt is given, an interactive chat when not.</summary>
internal sealed class ChatCommand
{
    private readonly RuntimeOptions _runtime = new();
    private readonly Argument<string?> _prompt = new("prompt") { Description = "What to ask. Without it, an interactive chat starts (/new for a new session, /exit to leave).", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string?> _sessionId = new("--session-id") { Description = "The runtime session to continue (33-256 characters). Default: a new one." };
    private readonly Option<string?> _userId = new("--user-id") { Description = "The end-user id (X-Amzn-Bedrock-AgentCore-Runtime-User-Id)." };
    private readonly Option<string> _payload = new("--payload") { Description = "prompt ({\"prompt\": text}, the default), messages ({\"messages\": [...]}), or a JSON payload sent as is.", DefaultValueFactory = _ => "prompt", HelpName = "prompt|messages|JSON" };
    private readonly Option<bool> _noStream = new("--no-stream") { Description = "Wait for the whole answer instead of streaming it." };
    private readonly Option<bool> _json = new("--json") { Description = "Machine-readable output: one JSON object per update that carries something (or the final response with --no-stream), then a summary object." };

    public ChatCommand(CliHost host)
    {
        Command = new Command("chat", "Chat with an agent runtime. With no runtime configured, starts the embedded local demo agent.");
        Command.Arguments.Add(_prompt);

        // An unknown option would otherwise be taken for the prompt and sent to the agent.
        _prompt.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: var token }] && token.StartsWith("--", StringComparison.Ordinal) && !token.Contains(' ', StringComparison.Ordinal))
            {
                result.AddError($"Unrecognized option '{token}'. To send a prompt that starts with '--', put it in quotes with a space, or after other text.");
            }
        });
        _runtime.AddTo(Command);
        Command.Options.Add(_sessionId);
        Command.Options.Add(_userId);
        Command.Options.Add(_payload);
        Command.Options.Add(_noStream);
        Command.Options.Add(_json);
        Command.SetAction((parse, cancellationToken) => CliApp.Guard(host, parse.GetValue(_runtime.Verbose), () => RunAsync(parse, host, cancellationToken)));
    }

    public Command Command { get; }

    private async Task<int> RunAsync(ParseResult parse, CliHost host, CancellationToken cancellationToken)
    {
        string payload = parse.GetValue(_payload)!;
        JsonNode? customPayload = payload is "prompt" or "messages" ? null : ParsePayload(payload);
        string? prompt = parse.GetValue(_prompt);

        await using LocalAgentRuntime? embedded = _runtime.ConfiguredRuntime(parse, host) is null
            ? await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions { VerifySignaturesWith = LocalAgentRuntime.TestCredentials }, cancellationToken).ConfigureAwait(false)
            : null;

        AgentCoreChatClientOptions options;
        if (embedded is not null)
        {
            host.ErrorConsole.MarkupLineInterpolated($"[grey]No runtime configured: using the embedded local demo agent at {embedded.BaseAddress} (signed data plane). Pass --runtime ARN or set {RuntimeOptions.RuntimeVariable} to call yours.[/]");
            options = embedded.CreateClientOptions();
        }
        else
        {
            options = _runtime.ClientOptions(parse, host, _runtime.ConfiguredRuntime(parse, host)!);
        }

        options.PayloadFormat = payload == "messages" ? AgentCorePayloadFormat.Messages : AgentCorePayloadFormat.Prompt;

        using HttpClient http = _runtime.CreateHttpClient(parse, host);
        using var client = new AgentCoreChatClient(options, http);
        var session = new Session(client, host, parse.GetValue(_sessionId), parse.GetValue(_userId), customPayload, parse.GetValue(_noStream), parse.GetValue(_json));

        if (prompt is not null || customPayload is not null)
        {
            await session.TurnAsync(prompt ?? string.Empty, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        return await session.ReplAsync(cancellationToken).ConfigureAwait(false);
    }

    private static JsonNode ParsePayload(string payload)
    {
        try
        {
            return JsonNode.Parse(payload) ?? throw new UsageException("--payload: null is not a payload.");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new UsageException($"--payload must be 'prompt', 'messages' or JSON text; '{payload}' is none of them ({e.Message}).", e);
        }
    }

    /// <summary>One conversation: the session id and history carry over from turn to turn.</summary>
    private sealed class Session(AgentCoreChatClient client, CliHost host, string? sessionId, string? userId, JsonNode? payload, bool noStream, bool json)
    {
        private readonly List<ChatMessage> _history = [];
        private string? _sessionId = sessionId;

        public async Task<int> ReplAsync(CancellationToken cancellationToken)
        {
            if (host.IsInteractive)
            {
                host.ErrorConsole.MarkupLine("[grey]Interactive chat: type a message, /new for a new session, /exit (or Ctrl+D) to leave.[/]");
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                if (host.IsInteractive)
                {
                    host.ErrorConsole.Markup("[bold green]you>[/] ");
                }

                string? line = await host.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (line is null || line.Trim() == "/exit")
                {
                    break;
                }

                if (line.Trim() == "/new")
                {
                    _sessionId = null;
                    _history.Clear();
                    host.ErrorConsole.MarkupLine("[grey]New session: the next message starts it.[/]");
                    continue;
                }

                if (line.Trim().Length == 0)
                {
                    continue;
                }

                try
                {
                    await TurnAsync(line, cancellationToken).ConfigureAwait(false);
                }
                catch (AgentCoreException e)
                {
                    // One failed turn does not end the chat; the error is printed and the next message may succeed.
                    CliApp.PrintServiceError(host, e, verbose: false);
                }
            }

            return ExitCodes.Success;
        }

        public async Task TurnAsync(string prompt, CancellationToken cancellationToken)
        {
            var options = new ChatOptions { ConversationId = _sessionId };
            if (userId is not null)
            {
                options.WithRuntimeUserId(userId);
            }

            if (payload is not null)
            {
                options.WithPayload(AgentCorePayload.FromJson(payload));
            }

            _history.Add(new ChatMessage(ChatRole.User, prompt));
            var clock = Stopwatch.StartNew();
            TimeSpan? firstToken = null;
            ChatResponse response;
            if (noStream)
            {
                response = await client.GetResponseAsync(_history, options, cancellationToken).ConfigureAwait(false);
                firstToken = clock.Elapsed;
                if (json)
                {
                    await host.Out.WriteLineAsync(JsonOutput.Line(JsonOutput.Response(response))).ConfigureAwait(false);
                }
                else
                {
                    await host.Out.WriteLineAsync(response.Text).ConfigureAwait(false);
                }
            }
            else
            {
                var updates = new List<ChatResponseUpdate>();
                IAsyncEnumerator<ChatResponseUpdate> stream = client.GetStreamingResponseAsync(_history, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
                await using (stream.ConfigureAwait(false))
                {
                    bool more = await WaitForFirstAsync(stream).ConfigureAwait(false);
                    for (; more; more = await stream.MoveNextAsync().ConfigureAwait(false))
                    {
                        ChatResponseUpdate update = stream.Current;
                        updates.Add(update);
                        if (update.Text.Length > 0)
                        {
                            firstToken ??= clock.Elapsed;
                        }

                        if (json)
                        {
                            // Control events (Strands' bookkeeping, heartbeats) carry nothing a program needs.
                            if (update.Text.Length > 0 || update.FinishReason is not null || update.Contents.Count > 0)
                            {
                                await host.Out.WriteLineAsync(JsonOutput.Line(JsonOutput.Update(update))).ConfigureAwait(false);
                            }
                        }
                        else if (update.Text.Length > 0)
                        {
                            await host.Out.WriteAsync(update.Text).ConfigureAwait(false);
                            await host.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }
                }

                if (!json)
                {
                    await host.Out.WriteLineAsync().ConfigureAwait(false);
                }

                response = updates.ToChatResponse();
            }

            _sessionId = response.ConversationId ?? _sessionId;
            _history.AddRange(response.Messages);
            WriteSummary(response, firstToken, clock.Elapsed);
        }

        private async Task<bool> WaitForFirstAsync(IAsyncEnumerator<ChatResponseUpdate> stream)
        {
            if (!host.IsInteractive || json)
            {
                return await stream.MoveNextAsync().ConfigureAwait(false);
            }

            // The spinner runs on standard error until the first update, so standard output holds only the answer.
            return await host.ErrorConsole.Status().Spinner(Spinner.Known.Dots).StartAsync("Waiting for the agent...", async _ => await stream.MoveNextAsync().ConfigureAwait(false)).ConfigureAwait(false);
        }

        private void WriteSummary(ChatResponse response, TimeSpan? firstToken, TimeSpan total)
        {
            if (json)
            {
                host.Out.WriteLine(JsonOutput.Line(JsonOutput.Summary(response, firstToken, total)));
                return;
            }

            string tokens = response.Usage is { } usage
                ? string.Create(CultureInfo.InvariantCulture, $"{usage.InputTokenCount} in / {usage.OutputTokenCount} out tokens")
                : "tokens not reported";
            string first = firstToken is { } t ? string.Create(CultureInfo.InvariantCulture, $"first token {t.TotalMilliseconds:F0} ms") : "no text";
            host.ErrorConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[grey]session {response.ConversationId} · {tokens} · {first} · total {total.TotalMilliseconds:F0} ms[/]");
        }
    }
}
