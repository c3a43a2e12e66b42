// Licensed under the Apache License, Version 2.0.

using System.Net;
using System.Text.Json;
using AgentCore.Extensions.AI;
using AgentCore.Extensions.AI.Testing;
using AgentCore.Gateway.Configuration;
using AgentCore.Gateway.Tests.Infrastructure;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using YamlDotNet.Serialization;

namespace AgentCore.Gateway.Tests;

/// <summary>LiteLLM's config.yaml read as is: the seed's example, os.environ/ values, start-up errors and warnings, routing, binding.</summary>
public sealed class ConfigurationTests
{
    private static readonly Dictionary<string, string> SeedEnvironment = new()
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLEKEY",
        ["AWS_SECRET_ACCESS_KEY"] = "example/secret/key",
        ["LITELLM_API_KEY"] = "sk-litellm-master",
    };

    private static GatewayConfiguration Load(string yaml, IReadOnlyDictionary<string, string>? environment = null) =>
        LiteLlmConfigLoader.Load(yaml, name => (environment ?? Configs.Environment).GetValueOrDefault(name));

    [Fact]
    public void ShippedConfig_IsTheSeedsExample_PlusItsMasterKey()
    {
        var yaml = new DeserializerBuilder().Build();
        var shipped = (Dictionary<object, object>)yaml.Deserialize<object>(File.ReadAllText(RepositoryPaths.ShippedConfig));
        var seed = (Dictionary<object, object>)yaml.Deserialize<object>(Seed.ConfigYaml);

        Assert.Equal(JsonSerializer.Serialize(seed["model_list"]), JsonSerializer.Serialize(shipped["model_list"]));
        Assert.Equal(["model_list", "general_settings"], shipped.Keys.Select(static k => (string)k));
        Assert.Equal("{\"master_key\":\"os.environ/LITELLM_API_KEY\"}", JsonSerializer.Serialize(shipped["general_settings"]));
    }

    [Fact]
    public void RoleName_AssumesTheRoleWithTheGivenKeys_ThroughAwsSdkSecurityToken()
    {
        GatewayConfiguration configuration = Load($$"""
            model_list:
              - model_name: with-role
                litellm_params:
                  model: bedrock/agentcore/{{Seed.Arn1}}
                  aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
                  aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY
                  aws_role_name: arn:aws:iam::123456789012:role/agentcore-invoker
                  aws_session_name: gateway-test
              - model_name: role-default-session
                litellm_params:
                  model: bedrock/agentcore/{{Seed.Arn1}}
                  aws_role_name: arn:aws:iam::123456789012:role/agentcore-invoker
                  aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
                  aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY
            """, SeedEnvironment);
        var options = new AgentCoreChatClientOptions();
        var defaults = new AgentCoreChatClientOptions();

        configuration.Deployments[0].Apply(options);
        configuration.Deployments[1].Apply(defaults);

        var role = Assert.IsType<Amazon.Runtime.AssumeRoleAWSCredentials>(options.Credentials);
        Assert.Equal("arn:aws:iam::123456789012:role/agentcore-invoker", role.RoleArn);
        Assert.Equal("gateway-test", role.RoleSessionName);
        Assert.Equal("AKIDEXAMPLEKEY", role.SourceCredentials.GetCredentials().AccessKey);
        Assert.Equal("agentcore-gateway", Assert.IsType<Amazon.Runtime.AssumeRoleAWSCredentials>(defaults.Credentials).RoleSessionName);
        Assert.Empty(configuration.UnsupportedKeys);
    }

    [Fact]
    public void SeedConfig_LoadsUnchanged_WithItsEnvironmentVariables()
    {
        GatewayConfiguration seed = Load(Seed.ConfigYaml, SeedEnvironment);
        GatewayConfiguration shipped = Load(File.ReadAllText(RepositoryPaths.ShippedConfig), SeedEnvironment);

        Assert.Null(seed.MasterKey);
        Assert.Equal("sk-litellm-master", shipped.MasterKey);
        foreach (GatewayConfiguration configuration in new[] { seed, shipped })
        {
            Assert.Empty(configuration.UnsupportedKeys);
            Assert.Null(configuration.Cache);
            Assert.Equal(10L * 1024 * 1024, configuration.MaxRequestBytes);
            Assert.Equal(["agentcore-runtime-1", "agentcore-runtime-2"], configuration.Deployments.Select(static d => d.ModelName));
            Assert.Equal(["bedrock/agentcore/" + Seed.Arn1, "bedrock/agentcore/" + Seed.Arn2], configuration.Deployments.Select(static d => d.RuntimeArn));
            Assert.Equal(["us-west-2", "us-east-1"], configuration.Deployments.Select(static d => d.Region));
            Assert.All(configuration.Deployments, static d =>
            {
                Assert.Equal("AKIDEXAMPLEKEY", d.AccessKeyId);
                Assert.Equal("example/secret/key", d.SecretAccessKey);
                Assert.Null(d.ApiBase);
            });
        }

        // What each deployment's client is built from.
        var options = new AgentCoreChatClientOptions();
        shipped.Deployments[1].Apply(options);
        options.Validate();
        Assert.Equal("bedrock/agentcore/" + Seed.Arn2, options.RuntimeArn);
        Assert.Equal("us-east-1", options.Region);
        ImmutableCredentials keys = Assert.IsType<BasicAWSCredentials>(options.Credentials).GetCredentials();
        Assert.Equal("AKIDEXAMPLEKEY", keys.AccessKey);

        // Nothing secret in what the configuration says about itself.
        Assert.DoesNotContain("sk-litellm-master", shipped.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("example/secret/key", shipped.Deployments[0].ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AWS_ACCESS_KEY_ID", "model_list[0].litellm_params.aws_access_key_id")]
    [InlineData("AWS_SECRET_ACCESS_KEY", "model_list[0].litellm_params.aws_secret_access_key")]
    [InlineData("LITELLM_API_KEY", "general_settings.master_key")]
    public void MissingEnvironmentVariable_IsAStartUpErrorNamingIt(string missing, string key)
    {
        Dictionary<string, string> environment = SeedEnvironment.Where(p => p.Key != missing).ToDictionary();

        var error = Assert.Throws<GatewayConfigurationException>(() => Load(File.ReadAllText(RepositoryPaths.ShippedConfig), environment));

        Assert.Equal($"{key} is os.environ/{missing}, but the environment variable {missing} is not set.", error.Message);
    }

    [Fact]
    public async Task MissingEnvironmentVariable_StopsTheProgram_WithExitCode2()
    {
        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToExitAsync(
            ["--config", RepositoryPaths.ShippedConfig, "--port", "0", "--host", "127.0.0.1"],
            new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLEKEY", ["LITELLM_API_KEY"] = "sk-litellm-master" });

        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        Assert.Equal(
            $"error: {RepositoryPaths.ShippedConfig}: model_list[0].litellm_params.aws_secret_access_key is os.environ/AWS_SECRET_ACCESS_KEY, but the environment variable AWS_SECRET_ACCESS_KEY is not set.",
            stderr.Trim());
    }

    [Theory]
    [InlineData("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0")]
    [InlineData("openai/gpt-4o")]
    [InlineData("arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/my-agent-runtime")]
    public void NonAgentCoreModel_IsAStartUpError(string model)
    {
        string yaml = $"model_list:\n  - model_name: agentcore-runtime-1\n    litellm_params:\n      model: bedrock/agentcore/{Seed.Arn1}\n  - model_name: other\n    litellm_params:\n      model: {model}\n";

        var error = Assert.Throws<GatewayConfigurationException>(() => Load(yaml));

        Assert.Equal($"model_list[1].litellm_params.model is '{model}': this gateway serves only AgentCore runtimes, bedrock/agentcore/{{AGENT_RUNTIME_ARN}}.", error.Message);
    }

    [Fact]
    public async Task NonAgentCoreModel_StopsTheProgram_WithExitCode2()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("gateway-config-").FullName, "config.yaml");
        await File.WriteAllTextAsync(path, "model_list:\n  - model_name: gpt\n    litellm_params:\n      model: openai/gpt-4o\n      api_key: os.environ/OPENAI_API_KEY\n");

        (int exitCode, _, string stderr) = await GatewayProcess.RunToExitAsync(["--config", path, "--port", "0"], new Dictionary<string, string>());

        Assert.Equal(2, exitCode);
        Assert.Contains("model_list[0].litellm_params.model is 'openai/gpt-4o': this gateway serves only AgentCore runtimes", stderr, StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public async Task SeveralInvalidDeployments_StopTheProgram_WithExitCode2_NamingEach()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("gateway-config-").FullName, "config.yaml");
        await File.WriteAllTextAsync(
            path,
            "model_list:\n" +
            "  - model_name: wrong-region\n    litellm_params:\n      model: bedrock/agentcore/" + Seed.Arn1 + "\n      aws_region_name: eu-west-1\n" +
            "  - model_name: short-session\n    litellm_params:\n      model: bedrock/agentcore/" + Seed.Arn2 + "\n      runtimeSessionId: too-short\n");

        (int exitCode, _, string stderr) = await GatewayProcess.RunToExitAsync(["--config", path, "--port", "0"], new Dictionary<string, string>());

        Assert.Equal(2, exitCode);
        string[] errors = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, errors.Length);
        Assert.StartsWith("error: AgentCore runtime 'wrong-region#0': AgentCoreChatClientOptions.Region is 'eu-west-1' but the runtime ARN is in 'us-west-2'", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("error: AgentCore runtime 'short-session#1': AgentCoreChatClientOptions.RuntimeSessionId must be 33 to 256 characters long", errors[1], StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Theory]
    [InlineData("model_list: []\n", "no model_list entries")]
    [InlineData("general_settings:\n  master_key: sk-1\n", "no model_list entries")]
    [InlineData("model_list:\n  - litellm_params:\n      model: bedrock/agentcore/" + Seed.Arn1 + "\n", "model_list[0].model_name is missing")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params:\n      aws_region_name: us-west-2\n", "model_list[0].litellm_params.model is missing")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params:\n      model: bedrock/agentcore/" + Seed.Arn1 + "\n      aws_access_key_id: AKID\n", "aws_secret_access_key and aws_access_key_id go together")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params:\n      model: bedrock/agentcore/" + Seed.Arn1 + "\n      api_base: not-a-url\n", "api_base 'not-a-url' is not an absolute http(s) URL")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params:\n      model: bedrock/agentcore/" + Seed.Arn1 + "\nlitellm_settings:\n  cache: true\n  cache_params:\n    type: s3\n", "only redis is supported")]
    [InlineData("model_list: [\n", "not valid YAML")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params:\n      model: bedrock/agentcore/" + Seed.Arn1 + "\ngeneral_settings:\n  max_request_size_mb: -1\n", "max_request_size_mb must be a positive number")]
    public void InvalidConfigs_AreStartUpErrors_NamingTheKey(string yaml, string expected)
    {
        var error = Assert.Throws<GatewayConfigurationException>(() => Load(yaml));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RedisCache_IsReadFromLiteLlmSettings()
    {
        GatewayConfiguration configuration = Load(
            "model_list:\n  - model_name: a\n    litellm_params:\n      model: bedrock/agentcore/" + Seed.Arn1 + "\n" +
            "litellm_settings:\n  cache: true\n  cache_params:\n    type: redis\n    host: redis.internal\n    port: 6380\n    password: os.environ/AGENT_SECRET\n");

        Assert.Equal(new RedisCacheSettings("redis.internal", 6380, "local-agent-runtime-test-secret-key"), configuration.Cache);
        Assert.Equal("redis.internal:6380,password=local-agent-runtime-test-secret-key", configuration.Cache!.ConnectionString);
        Assert.DoesNotContain("secret", configuration.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnsupportedKeys_AreListedInOneStartUpWarning_AndTheGatewayStillServes()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        string yaml =
            "model_list:\n" + Configs.DataPlane("my-agent", runtime, "temperature: 0.2", "rpm: 60") +
            "    model_info:\n      id: my-agent-1\n" +
            "general_settings:\n  master_key: os.environ/GATEWAY_MASTER_KEY\n  database_url: postgres://db\n" +
            "litellm_settings:\n  drop_params: true\n" +
            "router_settings:\n  routing_strategy: simple-shuffle\n";
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(yaml);

        FakeLogRecord warning = Assert.Single(gateway.Logs.GetSnapshot(), static r => r.Level >= LogLevel.Warning);
        Assert.Equal(
            "config.yaml keys that this gateway does not support were ignored: model_list[0].litellm_params.temperature, model_list[0].litellm_params.rpm, " +
            "model_list[0].model_info, general_settings.database_url, litellm_settings.drop_params, router_settings",
            warning.Message);
        Assert.Equal("AgentCore.Gateway", warning.Category);

        using HttpResponseMessage response = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RequestLogs_NameModelSessionStatusAndTokens_AndNoSecrets()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)));

        using HttpResponseMessage ok = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi", stream: true));
        _ = await ok.Content.ReadAsStringAsync();
        string session = Assert.Single(runtime.Requests).SessionId!;

        FakeLogRecord log = Assert.Single(gateway.Logs.GetSnapshot(), static r => r.Message.StartsWith("chat.completions", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, log.Level);
        Assert.Matches($"^chat.completions model=my-agent deployment=my-agent#0 session={session} status=200 latency_ms=[0-9.]+ input_tokens=5 output_tokens=7 stream=True$", log.Message);
        Assert.All(gateway.Logs.GetSnapshot(), static r =>
        {
            Assert.DoesNotContain(Configs.MasterKey, r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("local-agent-runtime-test-secret-key", r.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task SameModelName_IsRoundRobinAcrossItsDeployments()
    {
        await using LocalAgentRuntime first = await Agents.StartRuntimeAsync(static i => AgentReply.JsonResult("first: " + i.Prompt), Seed.Arn1);
        await using LocalAgentRuntime second = await Agents.StartRuntimeAsync(static i => AgentReply.JsonResult("second: " + i.Prompt), Seed.Arn2);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("pool", first), Configs.DataPlane("pool", second)));

        var answers = new List<string>();
        foreach (string prompt in new[] { "1", "2", "3", "4", "5", "6" })
        {
            using HttpResponseMessage response = await gateway.ChatAsync(InProcessGateway.Body("pool", prompt, stream: prompt is "3" or "4"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            string body = await response.Content.ReadAsStringAsync();
            answers.Add(prompt is "3" or "4"
                ? string.Concat(Sse.Deltas(Sse.ChunksOf(body)))
                : JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!);
        }

        Assert.Equal(["first: 1", "second: 2", "first: 3", "second: 4", "first: 5", "second: 6"], answers);
        Assert.Equal(["1", "3", "5"], first.Requests.Select(static r => JsonDocument.Parse(r.BodyText).RootElement.GetProperty("prompt").GetString()));
        Assert.Equal(["2", "4", "6"], second.Requests.Select(static r => JsonDocument.Parse(r.BodyText).RootElement.GetProperty("prompt").GetString()));

        // One model name, listed once.
        using HttpRequestMessage request = new(HttpMethod.Get, "v1/models");
        request.Headers.Authorization = new("Bearer", Configs.MasterKey);
        using HttpResponseMessage models = await gateway.Http.SendAsync(request);
        using JsonDocument list = JsonDocument.Parse(await models.Content.ReadAsStringAsync());
        Assert.Equal(["pool"], list.RootElement.GetProperty("data").EnumerateArray().Select(static m => m.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task WithoutMasterKey_BindsToLoopbackOnly_EvenWhenAskedForAllAddresses_AndSaysSo()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml([Configs.DataPlane("my-agent", runtime)], masterKey: false), host: "0.0.0.0");

        string address = Assert.Single(gateway.Addresses);
        Assert.Matches("^http://127\\.0\\.0\\.1:[0-9]+$", address);
        FakeLogRecord warning = Assert.Single(gateway.Logs.GetSnapshot(), static r => r.Level >= LogLevel.Warning);
        Assert.Equal("No general_settings.master_key is set: the gateway accepts requests without a key and listens on loopback (127.0.0.1) only.", warning.Message);

        // No key needed (any is accepted).
        using HttpResponseMessage response = await gateway.ChatAsync(InProcessGateway.Body("my-agent", "hi"), key: null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task WithMasterKey_BindsWhereAsked()
    {
        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(Configs.DataPlane("my-agent", runtime)), host: "127.0.0.1");

        Assert.Matches("^http://127\\.0\\.0\\.1:[0-9]+$", Assert.Single(gateway.Addresses));
        Assert.DoesNotContain(gateway.Logs.GetSnapshot(), static r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task TheProgram_WithTheSeedsConfigAndNoMasterKey_ListensOnLoopbackOnly_AndSaysSo()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("gateway-config-").FullName, "config.yaml");
        await File.WriteAllTextAsync(path, Seed.ConfigYaml);
        int port = GatewayProcess.FreePort();

        // --host 0.0.0.0 is asked for; without a master key the program binds 127.0.0.1 anyway.
        (int exitCode, string output) = await RunUntilListeningAsync(path, port);

        Assert.Contains("No general_settings.master_key is set: the gateway accepts requests without a key and listens on loopback (127.0.0.1) only.", output, StringComparison.Ordinal);
        Assert.Contains($"Now listening on: http://127.0.0.1:{port}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("0.0.0.0", output, StringComparison.Ordinal);
        Assert.NotEqual(2, exitCode);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    private static async Task<(int ExitCode, string Output)> RunUntilListeningAsync(string configPath, int port)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (string argument in new[] { "exec", RepositoryPaths.GatewayDll, "--config", configPath, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--host", "0.0.0.0" })
        {
            info.ArgumentList.Add(argument);
        }

        GatewayProcess.CleanEnvironment(info.Environment, SeedEnvironment);
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        Task errors = Task.Run(async () => output.Append(await process.StandardError.ReadToEndAsync()));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            output.AppendLine(line);
            if (line.Contains("Application started", StringComparison.Ordinal))
            {
                break;
            }
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(timeout.Token);
        await errors;
        return (process.ExitCode, output.ToString());
    }
}
