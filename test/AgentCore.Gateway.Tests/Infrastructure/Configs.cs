// Licensed under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;
using AgentCore.Extensions.AI.Testing;

namespace AgentCore.Gateway.Tests.Infrastructure;

/// <summary>LiteLLM config.yaml texts for the tests, and the environment their <c>os.environ/</c> values come from.</summary>
internal static class Configs
{
    public const string MasterKey = "sk-gateway-test-0123456789abcdef";

    /// <summary>The variables the test configs name: the local runtime's signing keys (not AWS keys) and the master key.</summary>
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>
    {
        ["AGENT_KEY_ID"] = "AKIDLOCALAGENTRUNTIME",
        ["AGENT_SECRET"] = "local-agent-runtime-test-secret-key",
        ["GATEWAY_MASTER_KEY"] = MasterKey,
    };

    /// <summary>A <c>model_list</c> entry that reaches the runtime's signed data plane (<c>api_base</c> = the runtime).</summary>
    public static string DataPlane(string modelName, LocalAgentRuntime runtime, params string[] extraParams)
    {
        string region = runtime.RuntimeArn.Split(':')[3];
        var entry = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"  - model_name: {modelName}")
            .AppendLine("    litellm_params:")
            .AppendLine(CultureInfo.InvariantCulture, $"      model: bedrock/agentcore/{runtime.RuntimeArn}")
            .AppendLine("      aws_access_key_id: os.environ/AGENT_KEY_ID")
            .AppendLine("      aws_secret_access_key: os.environ/AGENT_SECRET")
            .AppendLine(CultureInfo.InvariantCulture, $"      aws_region_name: {region}")
            .AppendLine(CultureInfo.InvariantCulture, $"      api_base: {runtime.BaseAddress}");
        foreach (string extra in extraParams)
        {
            entry.AppendLine(CultureInfo.InvariantCulture, $"      {extra}");
        }

        return entry.ToString();
    }

    /// <summary>A <c>model_list</c> entry whose <c>api_base</c> is a local agent container (<c>…/invocations</c>, unsigned).</summary>
    public static string Container(string modelName, LocalAgentRuntime runtime) =>
        new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"  - model_name: {modelName}")
            .AppendLine("    litellm_params:")
            .AppendLine(CultureInfo.InvariantCulture, $"      model: bedrock/agentcore/{runtime.RuntimeArn}")
            .AppendLine(CultureInfo.InvariantCulture, $"      api_base: {runtime.BaseAddress}invocations")
            .ToString();

    /// <summary>A whole config: the entries, and <c>general_settings</c> with the master key (from the environment) unless <paramref name="masterKey"/> is false.</summary>
    public static string Yaml(IEnumerable<string> entries, bool masterKey = true, params string[] generalSettings)
    {
        var yaml = new StringBuilder("model_list:\n");
        foreach (string entry in entries)
        {
            yaml.Append(entry);
        }

        if (masterKey || generalSettings.Length > 0)
        {
            yaml.AppendLine("general_settings:");
            if (masterKey)
            {
                yaml.AppendLine("  master_key: os.environ/GATEWAY_MASTER_KEY");
            }

            foreach (string setting in generalSettings)
            {
                yaml.AppendLine(CultureInfo.InvariantCulture, $"  {setting}");
            }
        }

        return yaml.ToString();
    }

    public static string Yaml(params string[] entries) => Yaml(entries, masterKey: true);
}
