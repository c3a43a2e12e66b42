// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using AgentCore.Extensions.AI;
using AgentCore.Extensions.AI.Hosting;
using Amazon.Extensions.NETCore.Setup;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers <see cref="AgentCoreChatClient"/>s as <see cref="IChatClient"/>s, the way <c>AddChatClient</c> does, with
/// options from code or configuration, AWS settings from <see cref="AWSOptions"/>, HTTP from <see cref="IHttpClientFactory"/>,
/// and validation when the host starts.
/// </summary>
/// <remarks>
/// <para>
/// Each method returns MEAI's <see cref="ChatClientBuilder"/>, so the pipeline is built as with <c>AddChatClient</c>:
/// <c>.UseLogging().UseDistributedCache().UseOpenTelemetry()</c>. The registration puts one middleware outermost itself: it
/// fills <see cref="ChatOptions.ModelId"/> with the runtime's ARN and the configured qualifier into
/// <see cref="ChatOptions.AdditionalProperties"/> when a request leaves them unset, so caches, logs and telemetry see which runtime
/// a request goes to (two runtimes sharing a cache never answer each other's requests).
/// </para>
/// <para>
/// Credentials, first found wins: <see cref="AgentCoreChatClientOptions.Credentials"/>, <see cref="AgentCoreChatClientOptions.Profile"/>,
/// a bearer-token provider (no AWS credentials needed), the registered <see cref="AWSOptions"/> (<c>AddDefaultAWSOptions</c>:
/// credentials, profile, role), then AWSSDK.Core's default chain. Retries happen in the client only; add no retry handler to
/// the HTTP client as well.
/// </para>
/// </remarks>
public static class AgentCoreServiceCollectionExtensions
{
    /// <summary>The configuration section read by default: <c>AgentCore</c>.</summary>
    public const string DefaultSectionName = "AgentCore";

    /// <summary>The subsection of named runtimes: <c>AgentCore:Runtimes:{name}</c>.</summary>
    public const string RuntimesSectionName = "Runtimes";

    /// <summary>Registers an <see cref="AgentCoreChatClient"/> as the <see cref="IChatClient"/>, configured in code.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <param name="lifetime">The client's lifetime. Default: singleton.</param>
    /// <returns>The builder of the client's pipeline.</returns>
    public static ChatClientBuilder AddAgentCoreChatClient(this IServiceCollection services, Action<AgentCoreChatClientOptions> configure, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Register(services, Options.Options.DefaultName, serviceKey: null, builder => builder.Configure(configure), lifetime);
    }

    /// <summary>Registers an <see cref="AgentCoreChatClient"/> as the <see cref="IChatClient"/>, bound from a configuration section.</summary>
    /// <param name="services">The services.</param>
    /// <param name="section">The section holding the options (for example <c>configuration.GetSection("AgentCore")</c>).</param>
    /// <param name="lifetime">The client's lifetime. Default: singleton.</param>
    /// <returns>The builder of the client's pipeline.</returns>
    public static ChatClientBuilder AddAgentCoreChatClient(this IServiceCollection services, IConfiguration section, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(section);
        return Register(services, Options.Options.DefaultName, serviceKey: null, builder => builder.Bind(section), lifetime);
    }

    /// <summary>Registers an <see cref="AgentCoreChatClient"/> as the <see cref="IChatClient"/>, bound from the <c>AgentCore</c> section of the registered <see cref="IConfiguration"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="lifetime">The client's lifetime. Default: singleton.</param>
    /// <returns>The builder of the client's pipeline.</returns>
    public static ChatClientBuilder AddAgentCoreChatClient(this IServiceCollection services, ServiceLifetime lifetime = ServiceLifetime.Singleton) =>
        Register(services, Options.Options.DefaultName, serviceKey: null, BindDefaultSection, lifetime);

    /// <summary>Registers an <see cref="AgentCoreChatClient"/> as a keyed <see cref="IChatClient"/>, configured in code.</summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The key (also the options name and the HTTP client name suffix).</param>
    /// <param name="configure">Sets the options.</param>
    /// <param name="lifetime">The client's lifetime. Default: singleton.</param>
    /// <returns>The builder of the client's pipeline.</returns>
    public static ChatClientBuilder AddKeyedAgentCoreChatClient(this IServiceCollection services, string serviceKey, Action<AgentCoreChatClientOptions> configure, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceKey);
        ArgumentNullException.ThrowIfNull(configure);
        return Register(services, serviceKey, serviceKey, builder => builder.Configure(configure), lifetime);
    }

    /// <summary>Registers an <see cref="AgentCoreChatClient"/> as a keyed <see cref="IChatClient"/>, bound from a configuration section.</summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The key (also the options name and the HTTP client name suffix).</param>
    /// <param name="section">The section holding the options.</param>
    /// <param name="lifetime">The client's lifetime. Default: singleton.</param>
    /// <returns>The builder of the client's pipeline.</returns>
    public static ChatClientBuilder AddKeyedAgentCoreChatClient(this IServiceCollection services, string serviceKey, IConfiguration section, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceKey);
        ArgumentNullException.ThrowIfNull(section);
        return Register(services, serviceKey, serviceKey, builder => builder.Bind(section), lifetime);
    }

    /// <summary>
    /// Registers every runtime under <c>AgentCore:Runtimes</c> as a keyed <see cref="IChatClient"/> named by its key (the .NET
    /// counterpart of LiteLLM's <c>model_list</c>). Each runtime's settings inherit what it leaves unset from the <c>AgentCore</c> section.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The root configuration, or its <c>AgentCore</c> section.</param>
    /// <param name="configurePipeline">Builds each runtime's pipeline (called with its name), or null for none.</param>
    /// <returns>The names registered, in the order configuration lists them (by name).</returns>
    /// <exception cref="InvalidOperationException">No runtime is configured.</exception>
    public static IReadOnlyList<string> AddAgentCoreRuntimes(this IServiceCollection services, IConfiguration configuration, Action<string, ChatClientBuilder>? configurePipeline = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        IConfigurationSection named = configuration.GetSection(DefaultSectionName);
        IConfiguration agentCore = named.Exists() ? named : configuration;
        IConfigurationSection[] runtimes = agentCore.GetSection(RuntimesSectionName).GetChildren().ToArray();
        if (runtimes.Length == 0)
        {
            throw new InvalidOperationException(
                $"No AgentCore runtimes are configured: add {DefaultSectionName}:{RuntimesSectionName}:{{name}}:RuntimeArn (appsettings.json) or {DefaultSectionName}__{RuntimesSectionName}__{{name}}__RuntimeArn (environment).");
        }

        var names = new List<string>(runtimes.Length);
        foreach (IConfigurationSection runtime in runtimes)
        {
            ChatClientBuilder builder = Register(
                services,
                runtime.Key,
                runtime.Key,
                options => options.Configure(o =>
                {
                    agentCore.Bind(o);
                    runtime.Bind(o);
                }),
                ServiceLifetime.Singleton);
            configurePipeline?.Invoke(runtime.Key, builder);
            names.Add(runtime.Key);
        }

        return names;
    }

    /// <summary>The name of the <see cref="IHttpClientFactory"/> client a registration uses: <c>AgentCore</c> or <c>AgentCore:{key}</c>.</summary>
    /// <param name="serviceKey">The service key, or null for the unkeyed client.</param>
    /// <returns>The HTTP client name.</returns>
    public static string HttpClientName(string? serviceKey) => serviceKey is null ? DefaultSectionName : $"{DefaultSectionName}:{serviceKey}";

    private static void BindDefaultSection(OptionsBuilder<AgentCoreChatClientOptions> builder) =>
        builder.Configure<IConfiguration>((options, configuration) => configuration.GetSection(DefaultSectionName).Bind(options));

    private static ChatClientBuilder Register(
        IServiceCollection services,
        string optionsName,
        string? serviceKey,
        Action<OptionsBuilder<AgentCoreChatClientOptions>> configure,
        ServiceLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(services);

        OptionsBuilder<AgentCoreChatClientOptions> options = services.AddOptions<AgentCoreChatClientOptions>(optionsName);
        configure(options);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentCoreChatClientOptions>, AgentCoreChatClientOptionsValidator>());

        string httpClientName = HttpClientName(serviceKey);
        services.AddHttpClient(httpClientName)
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler
            {
                // Abandoned streams hang up on the agent at once; DNS changes are picked up by connection lifetime.
                MaxResponseDrainSize = 0,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .ConfigureHttpClient(static client => client.Timeout = TimeSpan.FromMinutes(15))
            // The default loggers keep header values in their log state even when the text is redacted; log no header at all.
            .RemoveAllLoggers()
            .AddLogger(provider => new AgentCoreHttpClientLogger(
                provider.GetRequiredService<ILoggerFactory>().CreateLogger(AgentCoreHttpClientLogger.CategoryPrefix + httpClientName)));

        IChatClient Create(IServiceProvider provider)
        {
            AgentCoreChatClientOptions configured = provider.GetRequiredService<IOptionsMonitor<AgentCoreChatClientOptions>>().Get(optionsName).Clone();
            if (configured.Credentials is null && configured.Profile is null && configured.BearerTokenProvider is null &&
                provider.GetService<AWSOptions>() is { } aws)
            {
                // AWSOptions resolves its profile or role into credentials that refresh themselves, as AWSSDK.Core does.
                configured.Credentials = aws.GetCredentials();
            }

            HttpClient http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(httpClientName);
            return new AgentCoreChatClient(configured, http);
        }

        ChatClientBuilder builder = serviceKey is null
            ? services.AddChatClient(Create, lifetime)
            : services.AddKeyedChatClient(serviceKey, Create, lifetime);

        // First Use = outermost: every middleware the caller adds sees the runtime the request goes to.
        return builder.Use(static inner => new RuntimeIdentityChatClient(inner));
    }
}
