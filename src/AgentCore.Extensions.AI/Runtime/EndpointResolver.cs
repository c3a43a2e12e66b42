// Licensed under the Apache License, Version 2.0.

using System;

namespace AgentCore.Extensions.AI.Runtime;

/// <summary>
/// Decides, once per client, which data-plane endpoint a runtime is called on: the configured override (options, then the
/// AWS SDKs' environment variables), else the regional, FIPS or dual-stack endpoint of the runtime's own region.
/// </summary>
internal sealed class EndpointResolver
{
    private readonly Uri? _override;
    private readonly bool _fips;
    private readonly bool _dualStack;

    public EndpointResolver(AgentCoreChatClientOptions options)
    {
        _override = options.Endpoint ?? AgentCoreEndpoints.FromEnvironment();
        _fips = options.UseFipsEndpoint || AgentCoreEndpoints.FlagFromEnvironment("AWS_USE_FIPS_ENDPOINT");
        _dualStack = options.UseDualStackEndpoint || AgentCoreEndpoints.FlagFromEnvironment("AWS_USE_DUALSTACK_ENDPOINT");
    }

    /// <summary>Returns the base URL for a target: a container's own URL, the override, or the regional endpoint.</summary>
    /// <param name="target">The runtime.</param>
    /// <returns>The base URL.</returns>
    public Uri BaseUrl(AgentRuntimeTarget target) =>
        target.ContainerUrl ?? _override ?? AgentCoreEndpoints.Regional(target.Partition!, target.Region!, _fips, _dualStack);
}
