// Licensed under the Apache License, Version 2.0.

namespace AgentCore.Gateway.Tests.Infrastructure;

/// <summary>Finds the repository and the gateway's own build output from the test assembly's folder.</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> RootDirectory = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgentCore.Extensions.AI.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AgentCore.Extensions.AI.sln was not found above " + AppContext.BaseDirectory);
    });

    /// <summary>Gets the repository root.</summary>
    public static string Root => RootDirectory.Value;

    /// <summary>Gets the shipped example configuration, <c>src/AgentCore.Gateway/config.yaml</c>.</summary>
    public static string ShippedConfig => Path.Combine(Root, "src", "AgentCore.Gateway", "config.yaml");

    /// <summary>
    /// Gets <c>agentcore-gateway.dll</c> as the gateway project built it (with its own deps.json and runtimeconfig.json), in
    /// the configuration this test assembly was built in (…/bin/{Configuration}/net10.0/).
    /// </summary>
    public static string GatewayDll
    {
        get
        {
            string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            string dll = Path.Combine(Root, "src", "AgentCore.Gateway", "bin", configuration, "net10.0", "agentcore-gateway.dll");
            return File.Exists(dll)
                ? dll
                : throw new InvalidOperationException($"{dll} was not found: build the solution (or the test project, which references the gateway) first.");
        }
    }
}
