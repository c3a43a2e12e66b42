// Licensed under the Apache License, Version 2.0.

using System;

namespace AgentCore.Cli;

/// <summary>The command line asked for something that cannot be done as written (exit code 2).</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UsageException()
    {
    }
}
