// Licensed under the Apache License, Version 2.0.

using System.Runtime.CompilerServices;
using AgentCore.Extensions.AI.Testing;

namespace AgentCore.Gateway.Tests.Infrastructure;

/// <summary>Local runtimes and scripted agents shared by the tests.</summary>
internal static class Agents
{
    /// <summary>The streamed answer: multi-byte characters, quotes and an emoji, so "exactly the agent's text" means something.</summary>
    public static readonly string[] Chunks = ["Hello", ", wörld", " — \"quoted\"", " 🚀 done."];

    public static string Text => string.Concat(Chunks);

    /// <summary>The Strands stream of <see cref="Chunks"/> with usage 5 in / 7 out.</summary>
    public static AgentReply Strands(AgentInvocation invocation) => AgentReply.StrandsEvents(Chunks, usage: (5, 7));

    /// <summary>Starts a runtime serving <paramref name="arn"/> that verifies every data-plane signature against the test keys.</summary>
    public static Task<LocalAgentRuntime> StartRuntimeAsync(Func<AgentInvocation, AgentReply> agent, string arn = Seed.Arn1) =>
        LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            RuntimeArn = arn,
            Agent = agent,
            VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
        });

    /// <summary>
    /// Yields <paramref name="first"/>, then waits (up to 20 s) for cancellation; sets <paramref name="cancelled"/> when
    /// the enumeration is cancelled, which is what happens when the runtime's caller hangs up.
    /// </summary>
    public static async IAsyncEnumerable<string> FirstThenWait(string first, TaskCompletionSource cancelled, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return first;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(20), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            cancelled.TrySetResult();
            throw;
        }

        yield return "never";
    }

    /// <summary>Yields <paramref name="first"/>, then <paramref name="second"/> only once <paramref name="release"/> completes.</summary>
    public static async IAsyncEnumerable<string> Gated(string first, Task release, string second, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return first;
        await release.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        yield return second;
    }
}
