// Licensed under the Apache License, Version 2.0.

using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;

namespace AgentCore.Extensions.AI.Benchmarks;

/// <summary>
/// Answers every request with the same pre-built body, without touching the network or reading the request body: what is
/// measured is the client, not a server.
/// </summary>
public sealed class CannedResponseHandler(byte[] body, string mediaType) : HttpMessageHandler
{
    private readonly MediaTypeHeaderValue _contentType = new(mediaType);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body), RequestMessage = request };
        response.Content.Headers.ContentType = _contentType;
        response.Headers.TryAddWithoutValidation("x-amzn-RequestId", "0b6a2f4e-8c3d-4e1f-9a2b-3c4d5e6f7a8b");
        return Task.FromResult(response);
    }
}

/// <summary>A clock that always says the same time, so every signature is computed for the same instant.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>Names the body a benchmark method reads, for <see cref="ThroughputColumn"/>, when the class has no <c>Shape</c> parameter.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BodyShapeAttribute(Shape shape) : Attribute
{
    public Shape Shape { get; } = shape;
}

/// <summary>Shared constants.</summary>
public static class Fixtures
{
    public const string Arn = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/my-agent-runtime";
    public const string ContainerUrl = "http://localhost:8080";
    public const string AccessKeyId = "AKIDEXAMPLE";
    public const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    public const string Prompt = "Explain machine learning in plain words.";

    public static readonly DateTimeOffset SigningTime = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
}

/// <summary>
/// BenchmarkDotNet's ShortRun job (1 launch) with 15 warm-up and 10 measured iterations instead of 3 and 3. The client's
/// call chain (AWSSDK.Core's signer, HttpClient, the async iterators) keeps tier-0 JIT activity going for a few seconds,
/// so with 3 warm-ups its first measured iterations ran 2 to 5 times slower than its steady state. The whole suite still
/// runs in about 6.5 minutes on 2 cores.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ShortJobAttribute()
    : JobConfigBaseAttribute(Job.ShortRun.WithWarmupCount(15).WithIterationCount(10).WithId("Short"))
{
}
