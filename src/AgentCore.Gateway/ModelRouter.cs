// Licensed under the Apache License, Version 2.0.

using System.Collections.Generic;
using System.Linq;
using System.Threading;
using AgentCore.Gateway.Configuration;

namespace AgentCore.Gateway;

/// <summary>
/// Maps a requested model name to one of its deployments, round-robin when a <c>model_name</c> has several (as LiteLLM's
/// router does by default). Only configured deployments exist: a request can reach no other runtime.
/// </summary>
internal sealed class ModelRouter
{
    private readonly Dictionary<string, Route> _routes;

    public ModelRouter(IEnumerable<ModelDeployment> deployments)
    {
        _routes = deployments
            .GroupBy(static d => d.ModelName, System.StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => new Route(g.Select(static d => d.Key).ToArray()), System.StringComparer.Ordinal);
    }

    /// <summary>Gets the model names, in configuration order.</summary>
    public IEnumerable<string> ModelNames => _routes.Keys;

    /// <summary>Picks the next deployment of a model.</summary>
    public bool TryPick(string model, out string deploymentKey)
    {
        if (_routes.TryGetValue(model, out Route? route))
        {
            deploymentKey = route.Next();
            return true;
        }

        deploymentKey = string.Empty;
        return false;
    }

    private sealed class Route(string[] keys)
    {
        private int _next = -1;

        public string Next() => keys[(int)((uint)Interlocked.Increment(ref _next) % (uint)keys.Length)];
    }
}
