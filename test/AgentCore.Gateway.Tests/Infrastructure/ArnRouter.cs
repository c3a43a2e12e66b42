// Licensed under the Apache License, Version 2.0.

using System.Net;
using AgentCore.Extensions.AI.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCore.Gateway.Tests.Infrastructure;

/// <summary>
/// One data-plane endpoint for several <see cref="LocalAgentRuntime"/>s, each serving one ARN: what
/// <c>AWS_ENDPOINT_URL_BEDROCK_AGENTCORE</c> points at when a config (the seed's) names runtimes in two regions and accounts
/// with no <c>api_base</c>. It passes each request on as it arrived (raw path, every header including <c>Host</c>, so
/// the runtime verifies the gateway's SigV4 signature itself) to the runtime its ARN names, and streams the answer back.
/// </summary>
internal sealed class ArnRouter : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxResponseDrainSize = 0, AllowAutoRedirect = false, UseCookies = false });

    private ArnRouter(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<ArnRouter> StartAsync(params LocalAgentRuntime[] runtimes)
    {
        Dictionary<string, LocalAgentRuntime> byArn = runtimes.ToDictionary(static r => r.RuntimeArn, StringComparer.Ordinal);
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var router = new ArnRouter(builder.Build());
        router._app.Run(context => router.ForwardAsync(context, byArn));
        await router._app.StartAsync();
        router.BaseAddress = new Uri(router._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return router;
    }

    private async Task ForwardAsync(HttpContext context, Dictionary<string, LocalAgentRuntime> byArn)
    {
        string rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        string[] segments = rawTarget.Split('?', 2)[0].Trim('/').Split('/');
        if (segments is not ["runtimes", var arn, ..] || !byArn.TryGetValue(Uri.UnescapeDataString(arn), out LocalAgentRuntime? runtime))
        {
            context.Response.StatusCode = 404;
            context.Response.Headers["x-amzn-ErrorType"] = "ResourceNotFoundException";
            await context.Response.WriteAsync("{\"message\":\"No local runtime serves this ARN.\"}");
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(runtime.BaseAddress.GetLeftPart(UriPartial.Authority) + rawTarget))
        {
            Content = new ByteArrayContent(body.ToArray()),
        };
        foreach ((string name, Microsoft.Extensions.Primitives.StringValues values) in context.Request.Headers)
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach ((string name, IEnumerable<string> values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await using Stream answer = await response.Content.ReadAsStreamAsync(context.RequestAborted);
        byte[] buffer = new byte[8192];
        int read;
        while ((read = await answer.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }
}
