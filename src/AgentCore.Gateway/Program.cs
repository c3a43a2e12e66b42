// Licensed under the Apache License, Version 2.0.

using System;
using System.Globalization;
using System.IO;
using System.Linq;
using AgentCore.Gateway;
using AgentCore.Gateway.Configuration;
using Microsoft.AspNetCore.Builder;

// agentcore-gateway [--config config.yaml] [--port 4000] [--host 0.0.0.0]; also AGENTCORE_GATEWAY_CONFIG / _PORT / _HOST.
string? Option(string name, string variable)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : Environment.GetEnvironmentVariable(variable);
}

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("agentcore-gateway: an OpenAI-compatible gateway to AgentCore runtimes, configured with LiteLLM's config.yaml.");
    Console.WriteLine("Usage: agentcore-gateway [--config config.yaml] [--port 4000] [--host 0.0.0.0]");
    Console.WriteLine("Environment: AGENTCORE_GATEWAY_CONFIG, AGENTCORE_GATEWAY_PORT, AGENTCORE_GATEWAY_HOST.");
    return 0;
}

string configPath = Option("--config", "AGENTCORE_GATEWAY_CONFIG") ?? "config.yaml";
string portText = Option("--port", "AGENTCORE_GATEWAY_PORT") ?? "4000";
string host = Option("--host", "AGENTCORE_GATEWAY_HOST") ?? "0.0.0.0";
if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
{
    Console.Error.WriteLine($"error: --port '{portText}' is not a port number.");
    return 2;
}

GatewayConfiguration configuration;
try
{
    configuration = LiteLlmConfigLoader.Load(File.ReadAllText(configPath), Environment.GetEnvironmentVariable);
}
catch (Exception e) when (e is GatewayConfigurationException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {configPath}: {e.Message}");
    return 2;
}

try
{
    WebApplication app = GatewayApp.Build(configuration, new GatewayListenSettings(host, port));
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is GatewayConfigurationException or Microsoft.Extensions.Options.OptionsValidationException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
catch (AggregateException e) when (e.InnerExceptions.All(static inner => inner is Microsoft.Extensions.Options.OptionsValidationException))
{
    // Start-up validation throws one AggregateException when several deployments are invalid: name each of them.
    foreach (Exception inner in e.InnerExceptions)
    {
        Console.Error.WriteLine($"error: {inner.Message}");
    }

    return 2;
}
