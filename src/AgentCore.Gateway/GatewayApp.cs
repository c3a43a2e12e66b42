// Licensed under the Apache License, Version 2.0.

using System;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using AgentCore.Gateway.Configuration;
using AgentCore.Gateway.OpenAi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AgentCore.Gateway;

/// <summary>Where the gateway listens.</summary>
/// <param name="Host">The address to bind (without a master key, forced to loopback).</param>
/// <param name="Port">The port; 0 picks a free one.</param>
internal sealed record GatewayListenSettings(string Host, int Port);

/// <summary>Builds the gateway: one keyed <see cref="AgentCore.Extensions.AI.AgentCoreChatClient"/> per deployment, and the OpenAI endpoints.</summary>
internal static class GatewayApp
{
    /// <summary>The activity source and meter of MEAI's OpenTelemetry middleware.</summary>
    private const string TelemetrySource = "Experimental.Microsoft.Extensions.AI";

    public static WebApplication Build(GatewayConfiguration configuration, GatewayListenSettings listen, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        bool loopbackOnly = configuration.MasterKey is null;
        IPAddress address = loopbackOnly ? IPAddress.Loopback : ParseHost(listen.Host);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, listen.Port);
            // The gateway enforces the configured limit itself; Kestrel's hard limit has slack so an oversized request can
            // still be drained after its 413 (beyond the slack, Kestrel resets the connection).
            kestrel.Limits.MaxRequestBodySize = configuration.MaxRequestBytes + (1024 * 1024);
        });

        builder.Services.AddSingleton(configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new ModelRouter(configuration.Deployments));
        builder.Services.AddSingleton<ChatCompletionsEndpoint>();
        if (configuration.Cache is { } cache)
        {
            builder.Services.AddStackExchangeRedisCache(redis =>
            {
                // Connect in the background and fail commands at once while Redis is down, rather than waiting 5 s in the
                // backlog per request; FailOpenDistributedCache then answers without the cache.
                redis.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(cache.ConnectionString);
                redis.ConfigurationOptions.AbortOnConnectFail = false;
                redis.ConfigurationOptions.BacklogPolicy = StackExchange.Redis.BacklogPolicy.FailFast;
            });
        }

        // The gateway is a consumer of the library: each deployment is a keyed client registered by the Hosting package.
        foreach (ModelDeployment deployment in configuration.Deployments)
        {
            ChatClientBuilder pipeline = builder.Services.AddKeyedAgentCoreChatClient(deployment.Key, deployment.Apply);
            if (configuration.Cache is not null)
            {
                pipeline.Use(static (inner, services) => new DistributedCachingChatClient(
                    inner,
                    new FailOpenDistributedCache(services.GetRequiredService<Microsoft.Extensions.Caching.Distributed.IDistributedCache>(), services.GetRequiredService<ILogger<FailOpenDistributedCache>>())));
            }

            pipeline.UseOpenTelemetry(sourceName: TelemetrySource);
        }

        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")))
        {
            builder.Services.AddOpenTelemetry()
                .WithTracing(tracing => tracing.AddSource(TelemetrySource, "Microsoft.AspNetCore"))
                .WithMetrics(metrics => metrics.AddMeter(TelemetrySource, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"))
                .UseOtlpExporter();
        }

        configure?.Invoke(builder);
        WebApplication app = builder.Build();
        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AgentCore.Gateway");
        if (loopbackOnly)
        {
            logger.LogWarning("No general_settings.master_key is set: the gateway accepts requests without a key and listens on loopback ({Address}) only.", address);
        }

        if (configuration.UnsupportedKeys.Count > 0)
        {
            logger.LogWarning("config.yaml keys that this gateway does not support were ignored: {Keys}", string.Join(", ", configuration.UnsupportedKeys));
        }

        app.Use(RequireMasterKey(configuration.MasterKey));

        ChatCompletionsEndpoint chat = app.Services.GetRequiredService<ChatCompletionsEndpoint>();
        RequestDelegate completions = context => chat.HandleAsync(context, configuration.MaxRequestBytes);
        app.MapPost("/v1/chat/completions", completions);
        app.MapPost("/chat/completions", completions);
        app.MapGet("/v1/models", Models);
        app.MapGet("/models", Models);
        app.MapGet("/health/liveliness", () => Results.Text("\"I'm alive!\"", "application/json"));
        app.MapGet("/health/readiness", () => Results.Json(new { status = "healthy", models = configuration.Deployments.Count }));
        return app;
    }

    private static Task Models(HttpContext context)
    {
        ModelRouter router = context.RequestServices.GetRequiredService<ModelRouter>();
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            @object = "list",
            data = router.ModelNames.Select(static name => new { id = name, @object = "model", created = 0, owned_by = "aws.bedrock.agentcore" }),
        }));
    }

    /// <summary>Requires <c>Authorization: Bearer {master_key}</c> on the API (not on health checks), compared in constant time.</summary>
    private static Func<HttpContext, RequestDelegate, Task> RequireMasterKey(string? masterKey)
    {
        byte[]? expected = masterKey is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(masterKey));
        return async (context, next) =>
        {
            if (expected is null || context.Request.Path.StartsWithSegments("/health"))
            {
                await next(context);
                return;
            }

            string header = context.Request.Headers.Authorization.ToString();
            string presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : string.Empty;

            // Hashing first makes the comparison independent of the key's length as well as its content.
            if (!CryptographicOperations.FixedTimeEquals(expected, SHA256.HashData(Encoding.UTF8.GetBytes(presented))))
            {
                await OpenAiError.Unauthorized().WriteAsync(context.Response);
                return;
            }

            await next(context);
        };
    }

    private static IPAddress ParseHost(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "+" => IPAddress.Any,
        _ => IPAddress.TryParse(host, out IPAddress? ip) ? ip : throw new GatewayConfigurationException($"--host '{host}' is not an IP address (use 0.0.0.0, 127.0.0.1 or ::)."),
    };
}
