// Licensed under the Apache License, Version 2.0.

using System.Diagnostics;
using AgentCore.Extensions.AI.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AgentCore.Extensions.AI.Tests.Middleware;

/// <summary>
/// <c>UseOpenTelemetry()</c> on the DI registration, exported by the OpenTelemetry SDK's in-memory exporter: one span per
/// call with MEAI's GenAI semantic-convention attributes, and the span's context sent to the runtime as <c>traceparent</c>.
/// </summary>
public sealed class OpenTelemetryMiddlewareTests : IAsyncLifetime
{
    private const string Arn = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/telemetry-agent";
    private const string Session = "otel-session-0123456789abcdef0123456789ab";

    // A source per test instance: tests running in parallel never see each other's spans.
    private readonly string _sourceName = "AgentCore.Tests.Telemetry." + Guid.NewGuid().ToString("N");
    private readonly List<Activity> _spans = [];
    private TracerProvider _tracing = null!;
    private LocalAgentRuntime _runtime = null!;

    public async Task InitializeAsync()
    {
        _tracing = Sdk.CreateTracerProviderBuilder().AddSource(_sourceName).AddInMemoryExporter(_spans).Build();
        _runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            RuntimeArn = Arn,
            Agent = i => i.Prompt == "fail please"
                ? AgentReply.ServiceError(429, "ThrottlingException", "Rate exceeded")
                : AgentReply.StrandsEvents(["a ", "b"], usage: (3, 2)),
            VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
        });
    }

    public async Task DisposeAsync()
    {
        _tracing.Dispose();
        await _runtime.DisposeAsync();
    }

    private ServiceProvider Build()
    {
        var services = new ServiceCollection();
        services.AddAgentCoreChatClient(o =>
        {
            o.RuntimeArn = _runtime.RuntimeArn;
            o.Endpoint = _runtime.BaseAddress;
            o.Credentials = LocalAgentRuntime.TestCredentials;
            o.MaxAttempts = 1;
        }).UseOpenTelemetry(sourceName: _sourceName);
        return services.BuildServiceProvider();
    }

    private static Dictionary<string, object?> Tags(Activity span) => span.TagObjects.ToDictionary(t => t.Key, t => t.Value);

    /// <summary>The attributes of a successful call, in MEAI 10.11's names and values.</summary>
    private Dictionary<string, object?> ExpectedTags(ChatResponse response, bool streaming)
    {
        var expected = new Dictionary<string, object?>
        {
            ["gen_ai.operation.name"] = "chat",
            ["gen_ai.request.model"] = Arn,
            ["gen_ai.provider.name"] = "aws.bedrock.agentcore",
            ["server.address"] = "127.0.0.1",
            ["server.port"] = _runtime.BaseAddress.Port,
            ["gen_ai.conversation.id"] = Session,
            ["gen_ai.response.finish_reasons"] = "[\"stop\"]",
            ["gen_ai.response.id"] = response.ResponseId,
            ["gen_ai.response.model"] = Arn,
            ["gen_ai.usage.input_tokens"] = 3,
            ["gen_ai.usage.output_tokens"] = 2,
        };
        if (streaming)
        {
            expected["gen_ai.request.stream"] = true;
        }

        return expected;
    }

    private void AssertTraceparentCarries(Activity span, int request)
    {
        string traceparent = _runtime.Requests[request].Headers["traceparent"];
        Assert.Matches($"^00-{span.TraceId.ToHexString()}-[0-9a-f]{{16}}-01$", traceparent);
    }

    [Fact]
    public async Task GetResponseAsync_OneClientSpan_WithTheGenAiAttributes_AndTraceparentToTheRuntime()
    {
        await using ServiceProvider provider = Build();

        ChatResponse response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("hello", new ChatOptions { ConversationId = Session });

        Activity span = Assert.Single(_spans);
        Assert.Equal($"chat {Arn}", span.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", response.ResponseId);
        Assert.Equal(ExpectedTags(response, streaming: false), Tags(span));
        AssertTraceparentCarries(span, 0);
    }

    [Fact]
    public async Task Streaming_OneClientSpan_WithTheGenAiAttributes_AndTraceparentToTheRuntime()
    {
        await using ServiceProvider provider = Build();
        IChatClient client = provider.GetRequiredService<IChatClient>();

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("hello", new ChatOptions { ConversationId = Session }))
        {
            updates.Add(update);
        }

        ChatResponse response = updates.ToChatResponse();
        Activity span = Assert.Single(_spans);
        Assert.Equal($"chat {Arn}", span.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Dictionary<string, object?> tags = Tags(span);
        double timeToFirstChunk = Assert.IsType<double>(tags.GetValueOrDefault("gen_ai.response.time_to_first_chunk"));
        Assert.InRange(timeToFirstChunk, 0, span.Duration.TotalSeconds);
        tags.Remove("gen_ai.response.time_to_first_chunk");
        Assert.Equal(ExpectedTags(response, streaming: true), tags);
        AssertTraceparentCarries(span, 0);
    }

    [Fact]
    public async Task EachCall_IsExactlyOneSpan_InItsOwnTrace()
    {
        await using ServiceProvider provider = Build();
        IChatClient client = provider.GetRequiredService<IChatClient>();

        await client.GetResponseAsync("one");
        Assert.Single(_spans);
        await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync("two"))
        {
        }

        Assert.Equal(2, _spans.Count);
        await client.GetResponseAsync("three");

        Assert.Equal(3, _spans.Count);
        Assert.Equal(3, _runtime.Requests.Count);
        Assert.Equal(3, _spans.Select(s => s.TraceId).Distinct().Count());
        for (int i = 0; i < 3; i++)
        {
            AssertTraceparentCarries(_spans[i], i);
        }
    }

    [Fact]
    public async Task Metrics_DurationTokenUsageAndChunkTimes_WithTheReportedUsage()
    {
        var metrics = new List<Metric>();
        var streamed = new List<Metric>();
        using (MeterProvider meters = Sdk.CreateMeterProviderBuilder().AddMeter(_sourceName).AddInMemoryExporter(metrics).Build())
        {
            await using ServiceProvider provider = Build();
            await provider.GetRequiredService<IChatClient>().GetResponseAsync("hello");
            meters.ForceFlush();
        }

        using (MeterProvider meters = Sdk.CreateMeterProviderBuilder().AddMeter(_sourceName).AddInMemoryExporter(streamed).Build())
        {
            await using ServiceProvider provider = Build();
            await foreach (ChatResponseUpdate _ in provider.GetRequiredService<IChatClient>().GetStreamingResponseAsync("hello"))
            {
            }

            meters.ForceFlush();
        }

        Assert.Equal(["gen_ai.client.operation.duration", "gen_ai.client.token.usage"], metrics.Select(m => m.Name).Distinct().Order());
        Assert.Equal(
            ["gen_ai.client.operation.duration", "gen_ai.client.operation.time_per_output_chunk", "gen_ai.client.operation.time_to_first_chunk", "gen_ai.client.token.usage"],
            streamed.Select(m => m.Name).Distinct().Order());
        var tokens = new Dictionary<string, double>();
        foreach (Metric metric in metrics.Where(m => m.Name == "gen_ai.client.token.usage"))
        {
            foreach (ref readonly MetricPoint point in metric.GetMetricPoints())
            {
                var tags = new Dictionary<string, object?>();
                foreach (KeyValuePair<string, object?> tag in point.Tags)
                {
                    tags[tag.Key] = tag.Value;
                }

                Assert.Equal(Arn, tags["gen_ai.request.model"]);
                Assert.Equal("aws.bedrock.agentcore", tags["gen_ai.provider.name"]);
                tokens[(string)tags["gen_ai.token.type"]!] = point.GetHistogramSum();
            }
        }

        Assert.Equal(new Dictionary<string, double> { ["input"] = 3, ["output"] = 2 }, tokens);
    }

    [Fact]
    public async Task AFailedCall_IsOneErrorSpan_NamingTheExceptionType()
    {
        await using ServiceProvider provider = Build();

        var error = await Assert.ThrowsAsync<AgentCoreException>(() => provider.GetRequiredService<IChatClient>().GetResponseAsync("fail please"));

        Assert.Equal(AgentCoreErrorKind.Throttling, error.Kind);
        Activity span = Assert.Single(_spans);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(AgentCoreException).FullName, Tags(span)["error.type"]);
        Assert.DoesNotContain("gen_ai.response.id", Tags(span).Keys);
        AssertTraceparentCarries(span, 0);
    }
}
