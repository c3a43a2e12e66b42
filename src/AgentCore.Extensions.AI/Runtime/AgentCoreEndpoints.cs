// Licensed under the Apache License, Version 2.0.

using System;

namespace AgentCore.Extensions.AI.Runtime;

/// <summary>Builds the data-plane URLs of AgentCore Runtime.</summary>
internal static class AgentCoreEndpoints
{
    /// <summary>The SigV4 service name and the host prefix.</summary>
    public const string ServiceName = "bedrock-agentcore";

    /// <summary>
    /// The endpoint configured the AWS SDK way, through <c>AWS_ENDPOINT_URL_BEDROCK_AGENTCORE</c> or <c>AWS_ENDPOINT_URL</c>,
    /// or null. Lets code written for the real service run unchanged against a local or proxied endpoint.
    /// </summary>
    /// <returns>The configured endpoint, or null.</returns>
    /// <exception cref="ArgumentException">The variable holds no absolute http(s) URL.</exception>
    public static Uri? FromEnvironment()
    {
        foreach (string name in EndpointVariables)
        {
            string? value = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException($"The environment variable {name} must hold an absolute http(s) URL, such as https://vpce-123.bedrock-agentcore.us-west-2.vpce.amazonaws.com.", name);
            }

            return url;
        }

        return null;
    }

    /// <summary>Reads a boolean AWS setting from the environment (<c>AWS_USE_FIPS_ENDPOINT</c>, <c>AWS_USE_DUALSTACK_ENDPOINT</c>).</summary>
    /// <param name="name">The variable.</param>
    /// <returns>True when it is <c>true</c>, in any case.</returns>
    public static bool FlagFromEnvironment(string name) =>
        string.Equals(Environment.GetEnvironmentVariable(name)?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    private static readonly string[] EndpointVariables = ["AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", "AWS_ENDPOINT_URL"];

    /// <summary>Returns the regional data-plane base URL for a partition and region.</summary>
    /// <param name="partition">The ARN partition.</param>
    /// <param name="region">The region.</param>
    /// <param name="fips">Whether to use the FIPS host.</param>
    /// <param name="dualStack">Whether to use the dual-stack (IPv6) host.</param>
    /// <returns>The base URL, such as <c>https://bedrock-agentcore.us-west-2.amazonaws.com</c>.</returns>
    public static Uri Regional(string partition, string region, bool fips, bool dualStack)
    {
        string service = fips ? ServiceName + "-fips" : ServiceName;
        string suffix = (partition, dualStack) switch
        {
            ("aws-cn", false) => "amazonaws.com.cn",
            ("aws-cn", true) => "api.amazonwebservices.com.cn",
            (_, true) => "api.aws",
            _ => "amazonaws.com",
        };
        return new Uri($"https://{service}.{region}.{suffix}");
    }

    /// <summary>Returns the invocation URL of a runtime: <c>{base}/runtimes/{escaped ARN}/{operation}?qualifier=..&amp;accountId=..</c>.</summary>
    /// <param name="baseUrl">The endpoint (regional or overridden); a path in it is kept as a prefix.</param>
    /// <param name="arn">The runtime ARN, escaped as one path segment.</param>
    /// <param name="operation"><c>invocations</c> or <c>stopruntimesession</c>.</param>
    /// <param name="qualifier">The qualifier, or null.</param>
    /// <param name="accountId">The account id, or null.</param>
    /// <returns>The URL.</returns>
    public static Uri Runtime(Uri baseUrl, string arn, string operation, string? qualifier, string? accountId)
    {
        string prefix = baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        string query = string.Empty;
        if (qualifier is not null)
        {
            query = "?qualifier=" + Uri.EscapeDataString(qualifier);
        }

        if (accountId is not null)
        {
            query += (query.Length == 0 ? "?" : "&") + "accountId=" + Uri.EscapeDataString(accountId);
        }

        return new Uri($"{prefix}/runtimes/{Uri.EscapeDataString(arn)}/{operation}{query}");
    }

    /// <summary>Returns a local agent container's URL for a path such as <c>invocations</c> or <c>ping</c>.</summary>
    /// <param name="containerUrl">The container's base URL.</param>
    /// <param name="path">The path under it.</param>
    /// <returns>The URL.</returns>
    public static Uri Container(Uri containerUrl, string path) =>
        new($"{containerUrl.GetLeftPart(UriPartial.Path).TrimEnd('/')}/{path}");
}
