// Licensed under the Apache License, Version 2.0.

namespace AgentCore.Cli;

/// <summary>The CLI's exit codes.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The service or the agent failed (an <c>AgentCoreException</c>).</summary>
    public const int ServiceError = 1;

    /// <summary>The command line is wrong: unknown option, bad ARN, short session id, missing runtime.</summary>
    public const int UsageError = 2;

    /// <summary>Cancelled with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
