// Licensed under the Apache License, Version 2.0.

using System;

namespace AgentCore.Extensions.AI.Runtime;

/// <summary>
/// Where one invocation goes: a hosted runtime named by its ARN (signed data-plane protocol) or a local agent
/// container named by its URL (<c>/invocations</c>, unsigned).
/// </summary>
internal sealed class AgentRuntimeTarget
{
    /// <summary>LiteLLM's model route prefix.</summary>
    public const string LiteLlmRoutePrefix = "bedrock/agentcore/";

    private AgentRuntimeTarget(string arn, string partition, string region, string accountId, string runtimeId)
    {
        Arn = arn;
        Partition = partition;
        Region = region;
        AccountId = accountId;
        RuntimeId = runtimeId;
        ModelId = arn;
    }

    private AgentRuntimeTarget(Uri containerUrl)
    {
        ContainerUrl = containerUrl;
        ModelId = containerUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    /// <summary>Gets the ARN, or null for a container.</summary>
    public string? Arn { get; }

    /// <summary>Gets the ARN's partition (<c>aws</c>, <c>aws-cn</c>, <c>aws-us-gov</c>).</summary>
    public string? Partition { get; }

    /// <summary>Gets the ARN's region: the region to call.</summary>
    public string? Region { get; }

    /// <summary>Gets the ARN's account.</summary>
    public string? AccountId { get; }

    /// <summary>Gets the runtime id (the ARN's resource part after <c>runtime/</c>).</summary>
    public string? RuntimeId { get; }

    /// <summary>Gets the base URL of a local agent container, or null for a hosted runtime.</summary>
    public Uri? ContainerUrl { get; }

    /// <summary>Gets a value indicating whether this is a local agent container.</summary>
    public bool IsContainer => ContainerUrl is not null;

    /// <summary>Gets the id reported as the model id: the ARN, or the container URL.</summary>
    public string ModelId { get; }

    /// <summary>Parses an ARN, a <c>bedrock/agentcore/{ARN}</c> route or an http(s) URL.</summary>
    /// <param name="value">The value to parse.</param>
    /// <param name="settingName">The setting the value came from, named in errors.</param>
    /// <returns>The target.</returns>
    /// <exception cref="ArgumentException">The value is none of the accepted forms.</exception>
    public static AgentRuntimeTarget Parse(string? value, string settingName)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException(
                $"{settingName} is required: set it to an agent runtime ARN (arn:aws:bedrock-agentcore:REGION:ACCOUNT:runtime/ID), " +
                "the LiteLLM route bedrock/agentcore/{ARN}, or a local agent container URL such as http://localhost:8080.",
                settingName);
        }

        string text = value.Trim();
        if (text.StartsWith(LiteLlmRoutePrefix, StringComparison.OrdinalIgnoreCase))
        {
            text = text[LiteLlmRoutePrefix.Length..];
        }

        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url) || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
            {
                throw new ArgumentException($"{settingName} '{text}' is not a valid agent container URL: use the base URL, such as http://localhost:8080, with no query or fragment.", settingName);
            }

            return new AgentRuntimeTarget(url);
        }

        // arn:{partition}:bedrock-agentcore:{region}:{account12}:runtime/{id}
        string[] parts = text.Split(':');
        if (parts.Length != 6 || parts[0] != "arn")
        {
            throw Invalid(text, settingName, "it does not have the six ':'-separated parts of an ARN");
        }

        string partition = parts[1], service = parts[2], region = parts[3], account = parts[4], resource = parts[5];
        if (partition is not ("aws" or "aws-cn" or "aws-us-gov" or "aws-iso" or "aws-iso-b" or "aws-iso-e" or "aws-iso-f" or "aws-eusc"))
        {
            throw Invalid(text, settingName, $"the partition '{partition}' is not an AWS partition");
        }

        if (service != "bedrock-agentcore")
        {
            throw Invalid(text, settingName, $"the service is '{service}', not 'bedrock-agentcore'");
        }

        if (!IsRegionName(region))
        {
            throw Invalid(text, settingName, $"the region '{region}' is not a region name such as us-west-2");
        }

        if (account.Length != 12 || !IsAllDigits(account))
        {
            throw Invalid(text, settingName, "the account id must be 12 digits");
        }

        const string ResourcePrefix = "runtime/";
        if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal) || resource.Length == ResourcePrefix.Length || resource.AsSpan(ResourcePrefix.Length).IndexOfAny('/', ' ') >= 0)
        {
            throw Invalid(text, settingName, "the resource must be 'runtime/{id}'");
        }

        return new AgentRuntimeTarget(text, partition, region, account, resource[ResourcePrefix.Length..]);
    }

    /// <inheritdoc />
    public override string ToString() => ModelId;

    private static ArgumentException Invalid(string text, string settingName, string why) =>
        new($"{settingName} '{text}' is not an agent runtime ARN: {why}. Expected arn:aws:bedrock-agentcore:REGION:ACCOUNT:runtime/ID, bedrock/agentcore/{{ARN}}, or http://host:port for a local agent container.", settingName);

    private static bool IsRegionName(string region)
    {
        if (region.Length is < 4 or > 32)
        {
            return false;
        }

        foreach (char c in region)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return char.IsAsciiLetterLower(region[0]) && char.IsAsciiDigit(region[^1]);
    }

    private static bool IsAllDigits(string text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
