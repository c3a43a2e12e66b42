// Licensed under the Apache License, Version 2.0.

using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace AgentCore.Extensions.AI.Tests.Infrastructure;

/// <summary>One request as the handler saw it, with its body read.</summary>
public sealed record RecordedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;
}

/// <summary>
/// An <see cref="HttpMessageHandler"/> that records every request (headers and body) and answers from a queue of
/// canned responses, so a test asserts exactly what went on the wire and what came back.
/// </summary>
public sealed class RecordingHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _responses = new();

    public List<RecordedRequest> Requests { get; } = [];

    public RecordingHandler Respond(Func<HttpRequestMessage, HttpResponseMessage> response)
    {
        _responses.Enqueue(response);
        return this;
    }

    /// <summary>Answers 200 with a body read from <paramref name="body"/> as the client pulls it (to test streaming, cancellation, truncation).</summary>
    public RecordingHandler RespondStream(Stream body, string contentType) =>
        Respond(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) };
            response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            return response;
        });

    public RecordingHandler Respond(HttpStatusCode status, string body, string contentType, params (string Name, string Value)[] headers) =>
        Respond(_ => Response(status, Encoding.UTF8.GetBytes(body), contentType, headers));

    public static HttpResponseMessage Response(HttpStatusCode status, byte[] body, string? contentType, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(body) };
        if (contentType is not null)
        {
            response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        foreach ((string name, string value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            headers[header.Key] = string.Join(", ", header.Value);
        }

        byte[] body = [];
        if (request.Content is not null)
        {
            foreach (var header in request.Content.Headers)
            {
                headers[header.Key] = string.Join(", ", header.Value);
            }

            body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
        }

        Requests.Add(new RecordedRequest(request.Method, request.RequestUri!, headers, body));
        if (_responses.Count == 0)
        {
            throw new InvalidOperationException($"No canned response left for request {Requests.Count} ({request.Method} {request.RequestUri}).");
        }

        HttpResponseMessage response = _responses.Dequeue()(request);
        response.RequestMessage = request;
        return response;
    }
}
