// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using AgentCore.Extensions.AI;
using Amazon.Runtime;

namespace AgentCore.Gateway.Configuration;

/// <summary>What the gateway serves, read from LiteLLM's <c>config.yaml</c> with <c>os.environ/</c> values resolved.</summary>
/// <param name="Deployments">Every <c>model_list</c> entry; several with one <c>model_name</c> are round-robin deployments.</param>
/// <param name="MasterKey">The <c>general_settings.master_key</c>, or null (then the gateway binds to loopback only).</param>
/// <param name="Cache">Redis cache settings from <c>litellm_settings</c>, or null.</param>
/// <param name="MaxRequestBytes">The largest request body accepted (<c>general_settings.max_request_size_mb</c>, default 10 MB).</param>
/// <param name="UnsupportedKeys">Keys that were read but are not supported, for one start-up warning.</param>
internal sealed record GatewayConfiguration(
    IReadOnlyList<ModelDeployment> Deployments,
    string? MasterKey,
    RedisCacheSettings? Cache,
    long MaxRequestBytes,
    IReadOnlyList<string> UnsupportedKeys)
{
    /// <summary>Describes the configuration without any secret.</summary>
    public override string ToString() =>
        $"{Deployments.Count} deployment(s), master key {(MasterKey is null ? "not set" : "set")}, cache {(Cache is null ? "off" : $"redis {Cache.Host}:{Cache.Port}")}";
}

/// <summary>LiteLLM's <c>cache_params</c> for <c>type: redis</c>.</summary>
internal sealed record RedisCacheSettings(string Host, int Port, string? Password)
{
    /// <summary>The StackExchange.Redis configuration string.</summary>
    public string ConnectionString => Password is null ? $"{Host}:{Port}" : $"{Host}:{Port},password={Password}";

    public override string ToString() => $"redis {Host}:{Port}";
}

/// <summary>One <c>model_list</c> entry: a model name and the AgentCore runtime behind it.</summary>
internal sealed class ModelDeployment
{
    public required string ModelName { get; init; }

    /// <summary>The keyed-service key of its client: the model name and the entry's index.</summary>
    public required string Key { get; init; }

    public required string RuntimeArn { get; init; }

    public string? Qualifier { get; init; }

    public string? RuntimeSessionId { get; init; }

    public string? Region { get; init; }

    public string? Profile { get; init; }

    /// <summary>The <c>api_base</c>: a data-plane endpoint, or a local agent container when it ends in <c>/invocations</c>.</summary>
    public Uri? ApiBase { get; init; }

    public string? AccessKeyId { get; init; }

    public string? SecretAccessKey { get; init; }

    public string? SessionToken { get; init; }

    public string? RoleArn { get; init; }

    public string? RoleSessionName { get; init; }

    /// <summary>Fills client options from this entry, as LiteLLM reads <c>litellm_params</c>.</summary>
    public void Apply(AgentCoreChatClientOptions options)
    {
        if (ApiBase is not null && ApiBase.AbsolutePath.TrimEnd('/').EndsWith("/invocations", StringComparison.Ordinal))
        {
            // A local agent container: POST {base}/invocations, unsigned.
            string path = ApiBase.AbsolutePath.TrimEnd('/');
            options.RuntimeArn = new Uri(ApiBase, path[..^"/invocations".Length] + "/").AbsoluteUri;
        }
        else
        {
            options.RuntimeArn = RuntimeArn;
            options.Endpoint = ApiBase;
            options.Region = Region;
        }

        options.Qualifier = Qualifier;
        options.RuntimeSessionId = RuntimeSessionId;
        options.Profile = Profile;

        AWSCredentials? keys = AccessKeyId is null
            ? null
            : SessionToken is null ? new BasicAWSCredentials(AccessKeyId, SecretAccessKey) : new SessionAWSCredentials(AccessKeyId, SecretAccessKey, SessionToken);
        if (RoleArn is not null)
        {
            // aws_role_name: assume the role with the given keys (or the default chain), refreshed by AWSSDK.SecurityToken.
            AWSCredentials source = keys ?? Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
            options.Credentials = new AssumeRoleAWSCredentials(source, RoleArn, RoleSessionName ?? "agentcore-gateway");
        }
        else
        {
            options.Credentials = keys;
        }
    }

    /// <summary>Describes the deployment without any secret.</summary>
    public override string ToString() => $"{ModelName} → {RuntimeArn}{(Qualifier is null ? string.Empty : $" ({Qualifier})")}";
}
