// Licensed under the Apache License, Version 2.0.

using System;
using System.CommandLine;
using System.Net.Http;
using AgentCore.Extensions.AI;

namespace AgentCore.Cli;

/// <summary>The options that say which runtime to call and how to authenticate; shared by every command that calls one.</summary>
internal sealed class RuntimeOptions
{
    public const string RuntimeVariable = "AGENTCORE_RUNTIME_ARN";

    public Option<string?> Runtime { get; } = new("--runtime")
    {
        Description = $"The agent runtime: an ARN, bedrock/agentcore/{{ARN}}, or http(s)://host:port for a local agent container (unsigned /invocations). Default: ${RuntimeVariable}, else the embedded local demo agent.",
        HelpName = "ARN|URL",
    };

    public Option<string?> Qualifier { get; } = new("--qualifier") { Description = "The runtime endpoint name or version, e.g. DEFAULT or production." };

    public Option<string?> Region { get; } = new("--region") { Description = "The AWS region; must match the ARN's region." };

    public Option<string?> Profile { get; } = new("--profile") { Description = "The AWS profile whose credentials sign requests (default: the AWS SDK's chain: AWS_* variables, AWS_PROFILE, SSO, roles)." };

    public Option<string?> Endpoint { get; } = new("--endpoint") { Description = "A data-plane endpoint override (VPC endpoint, proxy); requests stay signed. Default: $AWS_ENDPOINT_URL_BEDROCK_AGENTCORE or $AWS_ENDPOINT_URL." };

    public Option<string?> BearerToken { get; } = new("--bearer-token") { Description = "An OAuth bearer token, for runtimes configured for inbound JWT auth (replaces SigV4). Default: $AGENTCORE_BEARER_TOKEN." };

    public Option<bool> Verbose { get; } = new("--verbose") { Description = "Print request and response headers (secrets redacted) and stack traces." };

    public void AddTo(Command command)
    {
        command.Options.Add(Runtime);
        command.Options.Add(Qualifier);
        command.Options.Add(Region);
        command.Options.Add(Profile);
        command.Options.Add(Endpoint);
        command.Options.Add(BearerToken);
        command.Options.Add(Verbose);
    }

    /// <summary>The runtime named on the command line or in the environment, or null when none is.</summary>
    public string? ConfiguredRuntime(ParseResult parse, CliHost host) =>
        NullIfEmpty(parse.GetValue(Runtime)) ?? NullIfEmpty(host.GetEnvironmentVariable(RuntimeVariable));

    /// <summary>Builds client options for <paramref name="runtime"/> from the command line.</summary>
    public AgentCoreChatClientOptions ClientOptions(ParseResult parse, CliHost host, string runtime)
    {
        var options = new AgentCoreChatClientOptions
        {
            RuntimeArn = runtime,
            Qualifier = NullIfEmpty(parse.GetValue(Qualifier)),
            Region = NullIfEmpty(parse.GetValue(Region)),
            Endpoint = NullIfEmpty(parse.GetValue(Endpoint)) is { } endpoint
                ? Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? url) ? url : throw new UsageException($"--endpoint must be an absolute http(s) URL; '{endpoint}' is not.")
                : null,
        };

        options.Profile = NullIfEmpty(parse.GetValue(Profile));

        if ((NullIfEmpty(parse.GetValue(BearerToken)) ?? NullIfEmpty(host.GetEnvironmentVariable("AGENTCORE_BEARER_TOKEN"))) is { } token)
        {
            options.BearerTokenProvider = _ => new(token);
        }

        return options;
    }

    /// <summary>The HTTP client the CLI sends with: hangs up on abandoned streams, logs headers with --verbose.</summary>
    public HttpClient CreateHttpClient(ParseResult parse, CliHost host)
    {
        HttpMessageHandler handler = new SocketsHttpHandler { MaxResponseDrainSize = 0 };
        if (parse.GetValue(Verbose))
        {
            handler = new VerboseLoggingHandler(handler, host.Error);
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(15) };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
