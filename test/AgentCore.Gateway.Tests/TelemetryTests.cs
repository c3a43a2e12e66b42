// Licensed under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using AgentCore.Extensions.AI.Testing;
using AgentCore.Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCore.Gateway.Tests;

/// <summary>With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, the real program exports traces and metrics over OTLP.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task OtlpEndpoint_ReceivesTheGatewaysTracesAndMetrics()
    {
        // A minimal OTLP/HTTP receiver: it keeps every body posted to /v1/traces and /v1/metrics.
        var received = new ConcurrentDictionary<string, ConcurrentBag<byte[]>>();
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        await using WebApplication collector = builder.Build();
        collector.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.GetOrAdd(context.Request.Path.Value!, static _ => []).Add(body.ToArray());
            context.Response.ContentType = "application/x-protobuf";
        });
        await collector.StartAsync();
        string otlp = collector.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();

        await using LocalAgentRuntime runtime = await Agents.StartRuntimeAsync(Agents.Strands);
        string path = Path.Combine(Directory.CreateTempSubdirectory("gateway-otel-").FullName, "config.yaml");
        await File.WriteAllTextAsync(path, Configs.Yaml(Configs.DataPlane("my-agent", runtime)));
        var environment = new Dictionary<string, string>(Configs.Environment)
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "agentcore-gateway-test",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        };
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(path, environment);

        using var http = new HttpClient { BaseAddress = gateway.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent(JsonSerializer.Serialize(InProcessGateway.Body("my-agent", "hi")), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", Configs.MasterKey);
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // Spans and metrics of MEAI's OpenTelemetry middleware (the gen_ai conventions) and of ASP.NET Core.
        string[] expected = ["/v1/traces:Experimental.Microsoft.Extensions.AI", "/v1/traces:agentcore-gateway-test", "/v1/traces:Microsoft.AspNetCore.Hosting.HttpRequestIn", "/v1/metrics:gen_ai.client.operation.duration", "/v1/metrics:http.server.request.duration"];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        string[] missing = expected;
        while (missing.Length > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            missing = [.. expected.Where(e => !Contains(received, e.Split(':', 2)[0], e.Split(':', 2)[1]))];
        }

        Assert.True(missing.Length == 0, $"Not exported: {string.Join(", ", missing)}. Received: {string.Join(", ", received.Select(static p => $"{p.Key} x{p.Value.Count}"))}. Gateway: {gateway.Output}");
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    private static bool Contains(ConcurrentDictionary<string, ConcurrentBag<byte[]>> received, string path, string text) =>
        received.TryGetValue(path, out ConcurrentBag<byte[]>? bodies) && bodies.Any(b => Encoding.UTF8.GetString(b).Contains(text, StringComparison.Ordinal));
}
