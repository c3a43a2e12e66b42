// Licensed under the Apache License, Version 2.0.

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AgentCore.Gateway.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AgentCore.Gateway.Tests.Infrastructure;

/// <summary>
/// The gateway app hosted in the test process on a free loopback port, exactly as <c>Program.cs</c> builds it
/// (<see cref="GatewayApp.Build"/>), with its logs captured.
/// </summary>
internal sealed class InProcessGateway : IAsyncDisposable
{
    private InProcessGateway(WebApplication app, IReadOnlyList<string> addresses)
    {
        App = app;
        Addresses = addresses;
        BaseAddress = new Uri(addresses[0].TrimEnd('/') + "/");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    /// <summary>Gets the addresses Kestrel bound, as it reports them.</summary>
    public IReadOnlyList<string> Addresses { get; }

    public Uri BaseAddress { get; }

    /// <summary>Gets a client without credentials; requests add the key they test.</summary>
    public HttpClient Http { get; }

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    /// <summary>Loads <paramref name="yaml"/> as <c>Program.cs</c> does (with <see cref="Configs.Environment"/>) and starts the gateway.</summary>
    public static Task<InProcessGateway> StartAsync(string yaml, string host = "127.0.0.1", Action<WebApplicationBuilder>? configure = null) =>
        StartAsync(LiteLlmConfigLoader.Load(yaml, name => Configs.Environment.GetValueOrDefault(name)), host, configure);

    public static async Task<InProcessGateway> StartAsync(GatewayConfiguration configuration, string host = "127.0.0.1", Action<WebApplicationBuilder>? configure = null)
    {
        WebApplication app = GatewayApp.Build(configuration, new GatewayListenSettings(host, 0), builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddFakeLogging();
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        IReadOnlyList<string> addresses = [.. app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses];
        return new InProcessGateway(app, addresses);
    }

    /// <summary>POSTs a JSON body (a string as is, anything else serialized) to <c>/v1/chat/completions</c>.</summary>
    public async Task<HttpResponseMessage> ChatAsync(object body, string? key = Configs.MasterKey, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, string path = "v1/chat/completions", CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await Http.SendAsync(request, completion, cancellationToken);
    }

    /// <summary>A chat request body with one user message.</summary>
    public static Dictionary<string, object?> Body(string model, string prompt, bool stream = false, params (string Name, object? Value)[] extra)
    {
        var body = new Dictionary<string, object?>
        {
            ["model"] = model,
            ["messages"] = new[] { new { role = "user", content = prompt } },
        };
        if (stream)
        {
            body["stream"] = true;
        }

        foreach ((string name, object? value) in extra)
        {
            body[name] = value;
        }

        return body;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
