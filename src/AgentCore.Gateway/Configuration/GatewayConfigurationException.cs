// Licensed under the Apache License, Version 2.0.

using System;

namespace AgentCore.Gateway.Configuration;

/// <summary>The configuration cannot be served; the message names the key and the fix. The gateway does not start.</summary>
internal sealed class GatewayConfigurationException : Exception
{
    public GatewayConfigurationException(string message)
        : base(message)
    {
    }

    public GatewayConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GatewayConfigurationException()
    {
    }
}
