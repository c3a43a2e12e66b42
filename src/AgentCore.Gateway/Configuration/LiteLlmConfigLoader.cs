// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace AgentCore.Gateway.Configuration;

/// <summary>
/// Reads LiteLLM's proxy <c>config.yaml</c> as it is: <c>model_list</c> with <c>litellm_params</c>, <c>general_settings</c>
/// and <c>litellm_settings</c>, with <c>os.environ/NAME</c> values taken from the environment.
/// </summary>
internal static class LiteLlmConfigLoader
{
    private const string EnvironmentPrefix = "os.environ/";
    private const string RoutePrefix = "bedrock/agentcore/";

    private static readonly HashSet<string> SupportedParams =
    [
        "model", "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_region_name", "aws_profile_name",
        "aws_role_name", "aws_session_name", "api_base", "qualifier", "runtimeSessionId",
    ];

    /// <summary>Parses and resolves a configuration.</summary>
    /// <param name="yaml">The YAML text.</param>
    /// <param name="getEnvironmentVariable">Reads an environment variable.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="GatewayConfigurationException">The configuration cannot be served; the message names the key.</exception>
    public static GatewayConfiguration Load(string yaml, Func<string, string?> getEnvironmentVariable)
    {
        object? document;
        try
        {
            document = new DeserializerBuilder().Build().Deserialize<object>(yaml);
        }
        catch (YamlException e)
        {
            throw new GatewayConfigurationException($"config.yaml is not valid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.Message}", e);
        }

        var reader = new Reader(getEnvironmentVariable);
        Dictionary<object, object?> root = document as Dictionary<object, object?>
            ?? throw new GatewayConfigurationException("config.yaml must be a mapping with a model_list.");

        var deployments = new List<ModelDeployment>();
        string? masterKey = null;
        RedisCacheSettings? cache = null;
        long maxRequestBytes = 10L * 1024 * 1024;

        foreach ((object key, object? value) in root)
        {
            switch (key.ToString())
            {
                case "model_list":
                    deployments.AddRange(ReadModelList(value, reader));
                    break;
                case "general_settings":
                    foreach ((string name, object? setting) in Reader.Mapping(value, "general_settings"))
                    {
                        switch (name)
                        {
                            case "master_key":
                                masterKey = reader.Scalar(setting, "general_settings.master_key");
                                break;
                            case "max_request_size_mb":
                                maxRequestBytes = (long)(reader.Number(setting, "general_settings.max_request_size_mb") * 1024 * 1024);
                                break;
                            default:
                                reader.Unsupported($"general_settings.{name}");
                                break;
                        }
                    }

                    break;
                case "litellm_settings":
                    cache = ReadCache(value, reader);
                    break;
                default:
                    reader.Unsupported(key.ToString()!);
                    break;
            }
        }

        if (deployments.Count == 0)
        {
            throw new GatewayConfigurationException("config.yaml has no model_list entries: add at least one with model_name and litellm_params.model: bedrock/agentcore/{ARN}.");
        }

        return new GatewayConfiguration(deployments, masterKey, cache, maxRequestBytes, reader.UnsupportedKeys);
    }

    private static IEnumerable<ModelDeployment> ReadModelList(object? value, Reader reader)
    {
        if (value is not List<object?> entries)
        {
            throw new GatewayConfigurationException("model_list must be a list of entries with model_name and litellm_params.");
        }

        for (int i = 0; i < entries.Count; i++)
        {
            string path = $"model_list[{i}]";
            string? modelName = null;
            Dictionary<string, string?> parameters = [];
            foreach ((string name, object? setting) in Reader.Mapping(entries[i], path))
            {
                switch (name)
                {
                    case "model_name":
                        modelName = reader.Scalar(setting, $"{path}.model_name");
                        break;
                    case "litellm_params":
                        foreach ((string parameter, object? parameterValue) in Reader.Mapping(setting, $"{path}.litellm_params"))
                        {
                            if (SupportedParams.Contains(parameter))
                            {
                                parameters[parameter] = reader.Scalar(parameterValue, $"{path}.litellm_params.{parameter}");
                            }
                            else
                            {
                                reader.Unsupported($"{path}.litellm_params.{parameter}");
                            }
                        }

                        break;
                    default:
                        reader.Unsupported($"{path}.{name}");
                        break;
                }
            }

            if (string.IsNullOrWhiteSpace(modelName))
            {
                throw new GatewayConfigurationException($"{path}.model_name is missing: name the model clients will ask for.");
            }

            string model = parameters.GetValueOrDefault("model")
                ?? throw new GatewayConfigurationException($"{path}.litellm_params.model is missing: set it to bedrock/agentcore/{{AGENT_RUNTIME_ARN}}.");
            if (!model.StartsWith(RoutePrefix, StringComparison.Ordinal))
            {
                throw new GatewayConfigurationException(
                    $"{path}.litellm_params.model is '{model}': this gateway serves only AgentCore runtimes, bedrock/agentcore/{{AGENT_RUNTIME_ARN}}.");
            }

            yield return new ModelDeployment
            {
                ModelName = modelName,
                Key = $"{modelName}#{i.ToString(CultureInfo.InvariantCulture)}",
                RuntimeArn = model,
                Qualifier = parameters.GetValueOrDefault("qualifier"),
                RuntimeSessionId = parameters.GetValueOrDefault("runtimeSessionId"),
                Region = parameters.GetValueOrDefault("aws_region_name"),
                Profile = parameters.GetValueOrDefault("aws_profile_name"),
                ApiBase = parameters.GetValueOrDefault("api_base") is { } apiBase
                    ? Uri.TryCreate(apiBase, UriKind.Absolute, out Uri? url) && url.Scheme is "http" or "https"
                        ? url
                        : throw new GatewayConfigurationException($"{path}.litellm_params.api_base '{apiBase}' is not an absolute http(s) URL.")
                    : null,
                AccessKeyId = parameters.GetValueOrDefault("aws_access_key_id"),
                SecretAccessKey = Pair(parameters, "aws_secret_access_key", "aws_access_key_id", path),
                SessionToken = parameters.GetValueOrDefault("aws_session_token"),
                RoleArn = parameters.GetValueOrDefault("aws_role_name"),
                RoleSessionName = parameters.GetValueOrDefault("aws_session_name"),
            };
        }
    }

    private static string? Pair(Dictionary<string, string?> parameters, string key, string partner, string path)
    {
        string? value = parameters.GetValueOrDefault(key);
        if ((value is null) != (parameters.GetValueOrDefault(partner) is null))
        {
            throw new GatewayConfigurationException($"{path}.litellm_params: {key} and {partner} go together; set both or neither.");
        }

        return value;
    }

    private static RedisCacheSettings? ReadCache(object? value, Reader reader)
    {
        bool enabled = false;
        Dictionary<string, string?> parameters = [];
        foreach ((string name, object? setting) in Reader.Mapping(value, "litellm_settings"))
        {
            switch (name)
            {
                case "cache":
                    enabled = string.Equals(reader.Scalar(setting, "litellm_settings.cache"), "true", StringComparison.OrdinalIgnoreCase);
                    break;
                case "cache_params":
                    foreach ((string parameter, object? parameterValue) in Reader.Mapping(setting, "litellm_settings.cache_params"))
                    {
                        if (parameter is "type" or "host" or "port" or "password")
                        {
                            parameters[parameter] = reader.Scalar(parameterValue, $"litellm_settings.cache_params.{parameter}");
                        }
                        else
                        {
                            reader.Unsupported($"litellm_settings.cache_params.{parameter}");
                        }
                    }

                    break;
                default:
                    reader.Unsupported($"litellm_settings.{name}");
                    break;
            }
        }

        if (!enabled)
        {
            return null;
        }

        string type = parameters.GetValueOrDefault("type") ?? "redis";
        if (type != "redis")
        {
            throw new GatewayConfigurationException($"litellm_settings.cache_params.type is '{type}': only redis is supported (or set cache: false).");
        }

        string port = parameters.GetValueOrDefault("port") ?? "6379";
        return new RedisCacheSettings(
            parameters.GetValueOrDefault("host") ?? "localhost",
            int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) ? number : throw new GatewayConfigurationException($"litellm_settings.cache_params.port '{port}' is not a port number."),
            parameters.GetValueOrDefault("password"));
    }

    /// <summary>Reads values, resolving <c>os.environ/NAME</c>, and collects unsupported keys.</summary>
    private sealed class Reader(Func<string, string?> getEnvironmentVariable)
    {
        public List<string> UnsupportedKeys { get; } = [];

        public void Unsupported(string key) => UnsupportedKeys.Add(key);

        public static IEnumerable<(string Name, object? Value)> Mapping(object? value, string path) => value switch
        {
            null => [],
            Dictionary<object, object?> mapping => mapping.Select(static p => (p.Key.ToString()!, p.Value)),
            _ => throw new GatewayConfigurationException($"{path} must be a mapping of keys to values."),
        };

        public string? Scalar(object? value, string path)
        {
            if (value is null)
            {
                return null;
            }

            if (value is not string text)
            {
                throw new GatewayConfigurationException($"{path} must be a single value, not a list or mapping.");
            }

            if (!text.StartsWith(EnvironmentPrefix, StringComparison.Ordinal))
            {
                return text;
            }

            string name = text[EnvironmentPrefix.Length..];
            string? resolved = getEnvironmentVariable(name);
            return string.IsNullOrEmpty(resolved)
                ? throw new GatewayConfigurationException($"{path} is {text}, but the environment variable {name} is not set.")
                : resolved;
        }

        public double Number(object? value, string path) =>
            double.TryParse(Scalar(value, path), NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && number > 0
                ? number
                : throw new GatewayConfigurationException($"{path} must be a positive number.");
    }
}
