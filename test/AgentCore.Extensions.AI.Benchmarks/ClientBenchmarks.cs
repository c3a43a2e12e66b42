// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using AgentCore.Extensions.AI.Decoding;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using BasicAWSCredentials = Amazon.Runtime.BasicAWSCredentials;

namespace AgentCore.Extensions.AI.Benchmarks;

/// <summary>
/// One whole streamed call through the public client: payload mapping, SigV4 signing, <see cref="HttpClient"/> over an
/// in-memory handler that answers with the 2,000-event Strands body, and decoding, against decoding the same body alone
/// (the baseline). Figures are per event (OperationsPerInvoke = 2,000); Mean × 2,000 is one call.
/// </summary>
[ShortJob]
[MemoryDiagnoser]
public class ClientStreamingBenchmarks
{
    private readonly List<ChatMessage> _messages = [new(ChatRole.User, Fixtures.Prompt)];
    private byte[] _body = [];
    private ResponseMetadata _metadata = null!;
    private HttpClient _httpClient = null!;
    private AgentCoreChatClient _client = null!;

    [GlobalSetup]
    public void Setup()
    {
        _body = Bodies.For(Shape.Strands);
        _metadata = DecodeCheck.Metadata();
        _httpClient = new HttpClient(new CannedResponseHandler(_body, "text/event-stream"));
        _client = new AgentCoreChatClient(
            new AgentCoreChatClientOptions
            {
                RuntimeArn = Fixtures.Arn,
                Credentials = new BasicAWSCredentials(Fixtures.AccessKeyId, Fixtures.SecretAccessKey),
                TimeProvider = new FixedTimeProvider(Fixtures.SigningTime),
            },
            _httpClient);

        var updates = new List<ChatResponseUpdate>();
        IAsyncEnumerator<ChatResponseUpdate> enumerator = _client.GetStreamingResponseAsync(_messages).GetAsyncEnumerator();
        while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
        {
            updates.Add(enumerator.Current);
        }

        enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        DecodeCheck.Verify(Shape.Strands, updates);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _httpClient.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Bodies.EventCount)]
    [BodyShape(Shape.Strands)]
    public async Task<int> DecoderOnly()
    {
        int contents = 0;
        using var stream = new MemoryStream(_body, writable: false);
        await foreach (ChatResponseUpdate update in ResponseDecoder.DecodeAsync(stream, "text/event-stream", _metadata, CancellationToken.None))
        {
            contents += update.Contents.Count;
        }

        return contents;
    }

    [Benchmark(OperationsPerInvoke = Bodies.EventCount)]
    [BodyShape(Shape.Strands)]
    public async Task<int> ClientStreamingCall()
    {
        int contents = 0;
        await foreach (ChatResponseUpdate update in _client.GetStreamingResponseAsync(_messages))
        {
            contents += update.Contents.Count;
        }

        return contents;
    }
}

/// <summary>
/// The cost of one call apart from the answer: the handler answers <c>{"result":"ok"}</c>. The baseline is a plain
/// <see cref="HttpClient"/> POST of the same payload bytes and headers, unsigned, through the same handler, reading the
/// answer as a string. The client runs once signed (runtime ARN, SigV4) and once unsigned (local container URL), so
/// signing and mapping show separately.
/// </summary>
[ShortJob]
[MemoryDiagnoser]
public class RequestBenchmarks
{
    private static readonly byte[] Answer = """{"result":"ok"}"""u8.ToArray();
    private static readonly Uri ContainerInvocations = new(Fixtures.ContainerUrl + "/invocations");

    private readonly List<ChatMessage> _messages = [new(ChatRole.User, Fixtures.Prompt)];
    private byte[] _payload = [];
    private HttpClient _httpClient = null!;
    private AgentCoreChatClient _signed = null!;
    private AgentCoreChatClient _container = null!;

    [GlobalSetup]
    public void Setup()
    {
        _payload = System.Text.Encoding.UTF8.GetBytes($$"""{"prompt":"{{Fixtures.Prompt}}"}""");
        _httpClient = new HttpClient(new CannedResponseHandler(Answer, "application/json"));
        _signed = new AgentCoreChatClient(
            new AgentCoreChatClientOptions
            {
                RuntimeArn = Fixtures.Arn,
                Credentials = new BasicAWSCredentials(Fixtures.AccessKeyId, Fixtures.SecretAccessKey),
                TimeProvider = new FixedTimeProvider(Fixtures.SigningTime),
            },
            _httpClient);
        _container = new AgentCoreChatClient(new AgentCoreChatClientOptions { RuntimeArn = Fixtures.ContainerUrl }, _httpClient);

        foreach (AgentCoreChatClient client in new[] { _signed, _container })
        {
            ChatResponse response = client.GetResponseAsync(_messages).GetAwaiter().GetResult();
            if (response.Text != "ok")
            {
                throw new InvalidOperationException($"Expected the answer 'ok', got '{response.Text}'.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _signed.Dispose();
        _container.Dispose();
        _httpClient.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> PlainHttpClientPost()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ContainerInvocations);
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        request.Headers.TryAddWithoutValidation("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", "agentcore-session-0123456789abcdef0123456789abcdef");
        request.Content = new ByteArrayContent(_payload);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return (await response.Content.ReadAsStringAsync()).Length;
    }

    [Benchmark]
    public async Task<int> ClientSigned()
    {
        ChatResponse response = await _signed.GetResponseAsync(_messages);
        return response.Text.Length;
    }

    [Benchmark]
    public async Task<int> ClientUnsignedContainer()
    {
        ChatResponse response = await _container.GetResponseAsync(_messages);
        return response.Text.Length;
    }
}
