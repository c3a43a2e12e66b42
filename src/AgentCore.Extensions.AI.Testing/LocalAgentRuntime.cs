// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AgentCore.Extensions.AI.Runtime;
using AgentCore.Extensions.AI.Testing.Internal;
using AgentCore.Extensions.AI.Transport;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCore.Extensions.AI.Testing;

/// <summary>
/// A local Amazon Bedrock AgentCore Runtime, for tests and offline development. It serves both faces of AgentCore:
/// the data plane (<c>POST /runtimes/{arn}/invocations</c>, optionally SigV4-verified, and
/// <c>POST /runtimes/{arn}/stopruntimesession</c>) and the agent container contract (<c>POST /invocations</c>,
/// <c>GET /ping</c>), on loopback with Kestrel (<see cref="StartAsync"/>) or in memory (<see cref="StartInMemory"/>).
/// </summary>
/// <remarks>
/// Like the service, it echoes the session-id header (generating one when absent), rejects ids outside 33–256 characters
/// with 400 <c>ValidationException</c>, and answers unknown runtimes with 404 <c>ResourceNotFoundException</c>. It keeps each
/// session's turns (<see cref="AgentInvocation.History"/>) and records every request (<see cref="Requests"/>).
/// </remarks>
public sealed class LocalAgentRuntime : IAsyncDisposable
{
    /// <summary>Credentials for signing requests to a runtime that verifies signatures; not AWS credentials.</summary>
    public static readonly AWSCredentials TestCredentials = new BasicAWSCredentials("AKIDLOCALAGENTRUNTIME", "local-agent-runtime-test-secret-key");

    private readonly LocalAgentRuntimeOptions _options;
    private readonly SigV4Verifier? _verifier;
    private readonly object _gate = new();
    private readonly List<RecordedAgentRequest> _requests = [];
    private readonly Dictionary<string, List<AgentTurn>> _sessions = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private TestServer? _testServer;

    private LocalAgentRuntime(LocalAgentRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.Agent, "LocalAgentRuntimeOptions.Agent");
        ArgumentException.ThrowIfNullOrWhiteSpace(options.RuntimeArn, "LocalAgentRuntimeOptions.RuntimeArn");
        _options = options;
        _verifier = options.VerifySignaturesWith is { } credentials ? new SigV4Verifier(credentials) : null;
    }

    /// <summary>Gets the base address: <c>http://127.0.0.1:{port}</c>, or <c>http://localhost</c> in memory.</summary>
    public Uri BaseAddress { get; private set; } = new("http://localhost");

    /// <summary>Gets the runtime ARN the data-plane route serves.</summary>
    public string RuntimeArn => _options.RuntimeArn;

    /// <summary>Gets a value indicating whether this runtime runs in memory (no socket).</summary>
    public bool IsInMemory => _testServer is not null;

    /// <summary>Gets every request received so far, in order of arrival.</summary>
    public IReadOnlyList<RecordedAgentRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Gets the ids of the sessions that have at least one turn.</summary>
    public IReadOnlyCollection<string> Sessions
    {
        get
        {
            lock (_gate)
            {
                return [.. _sessions.Keys];
            }
        }
    }

    /// <summary>Starts a runtime on a loopback port with Kestrel.</summary>
    /// <param name="options">The settings, or null for the demo agent on a free port.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running runtime; dispose it to stop.</returns>
    public static async Task<LocalAgentRuntime> StartAsync(LocalAgentRuntimeOptions? options = null, CancellationToken cancellationToken = default)
    {
        var runtime = new LocalAgentRuntime(options ?? new LocalAgentRuntimeOptions());
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, runtime._options.Port));
        runtime._app = builder.Build();
        runtime._app.Run(runtime.HandleAsync);
        await runtime._app.StartAsync(cancellationToken).ConfigureAwait(false);
        string address = runtime._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        runtime.BaseAddress = new Uri(address);
        return runtime;
    }

    /// <summary>Starts a runtime in memory: no socket; reach it through <see cref="CreateHandler"/> or <see cref="CreateChatClient"/>.</summary>
    /// <param name="options">The settings, or null for the demo agent.</param>
    /// <returns>The runtime; dispose it to stop.</returns>
    public static LocalAgentRuntime StartInMemory(LocalAgentRuntimeOptions? options = null)
    {
        var runtime = new LocalAgentRuntime(options ?? new LocalAgentRuntimeOptions());
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseTestServer();
        runtime._app = builder.Build();
        runtime._app.Run(runtime.HandleAsync);
        runtime._app.StartAsync().GetAwaiter().GetResult();
        runtime._testServer = runtime._app.GetTestServer();
        runtime.BaseAddress = runtime._testServer.BaseAddress;
        return runtime;
    }

    /// <summary>
    /// Creates an HTTP handler that reaches this runtime: the in-memory handler, or a socket handler that hangs up on
    /// abandoned streams at once. The caller owns it.
    /// </summary>
    /// <returns>The handler.</returns>
    public HttpMessageHandler CreateHandler() =>
        _testServer is null ? new SocketsHttpHandler { MaxResponseDrainSize = 0 } : new RawTargetHandler(_testServer.CreateHandler());

    /// <summary>Creates client options that call this runtime on the given route.</summary>
    /// <param name="route">
    /// <see cref="AgentRoute.DataPlane"/>: the runtime ARN with <see cref="AgentCoreChatClientOptions.Endpoint"/> set to this runtime,
    /// signed with <see cref="TestCredentials"/>; <see cref="AgentRoute.Container"/>: this runtime's URL as a local agent container.
    /// </param>
    /// <returns>The options.</returns>
    public AgentCoreChatClientOptions CreateClientOptions(AgentRoute route = AgentRoute.DataPlane) => route switch
    {
        AgentRoute.DataPlane => new AgentCoreChatClientOptions
        {
            RuntimeArn = RuntimeArn,
            Endpoint = BaseAddress,
            Credentials = _options.VerifySignaturesWith ?? TestCredentials,
        },
        _ => new AgentCoreChatClientOptions { RuntimeArn = BaseAddress.GetLeftPart(UriPartial.Authority) },
    };

    /// <summary>Creates an <see cref="AgentCoreChatClient"/> wired to this runtime (in memory or over loopback).</summary>
    /// <param name="route">The route to call (see <see cref="CreateClientOptions"/>).</param>
    /// <param name="configure">Changes to the options, or null.</param>
    /// <returns>The client.</returns>
    public AgentCoreChatClient CreateChatClient(AgentRoute route = AgentRoute.DataPlane, Action<AgentCoreChatClientOptions>? configure = null)
    {
        AgentCoreChatClientOptions options = CreateClientOptions(route);
        configure?.Invoke(options);

        // Over loopback the client's own HTTP client is the right one (it hangs up on abandoned streams); in memory there
        // is no socket, so the test server's handler is all there is to pass.
        return _testServer is null ? new AgentCoreChatClient(options) : new AgentCoreChatClient(options, new HttpClient(CreateHandler()));
    }

    /// <summary>Gets the remembered turns of a session, oldest first (empty for an unknown session).</summary>
    /// <param name="sessionId">The session id.</param>
    /// <returns>The turns.</returns>
    public IReadOnlyList<AgentTurn> GetHistory(string sessionId)
    {
        lock (_gate)
        {
            return _sessions.TryGetValue(sessionId, out List<AgentTurn>? turns) ? [.. turns] : [];
        }
    }

    /// <summary>Stops the runtime.</summary>
    /// <returns>A task that completes when it has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        string rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        if (string.IsNullOrEmpty(rawTarget) && request.Headers.Remove(RawTargetHeader, out Microsoft.Extensions.Primitives.StringValues inMemoryTarget))
        {
            rawTarget = inMemoryTarget.ToString();
        }

        string path = rawTarget.Split('?', 2)[0];
        byte[] body = await ReadBodyAsync(request, context.RequestAborted).ConfigureAwait(false);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> header in request.Headers)
        {
            headers[header.Key] = header.Value.ToString();
        }

        var exchange = new Exchange(this, context, rawTarget, headers, body);
        string[] segments = path.Trim('/').Split('/');
        try
        {
            if (request.Method == "GET" && path == "/ping")
            {
                exchange.Route = null;
                await exchange.WriteJsonAsync(200, $"{{\"status\":\"Healthy\",\"time_of_last_update\":{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}}}").ConfigureAwait(false);
            }
            else if (request.Method == "POST" && path == "/invocations")
            {
                exchange.Route = AgentRoute.Container;
                await InvokeAsync(exchange).ConfigureAwait(false);
            }
            else if (request.Method == "POST" && segments is ["runtimes", var arn, "invocations" or "stopruntimesession"])
            {
                exchange.Route = AgentRoute.DataPlane;
                if (!await AuthorizeAsync(exchange, Uri.UnescapeDataString(arn)).ConfigureAwait(false))
                {
                    return;
                }

                if (segments[2] == "invocations")
                {
                    await InvokeAsync(exchange).ConfigureAwait(false);
                }
                else
                {
                    exchange.Route = null;
                    await StopSessionAsync(exchange).ConfigureAwait(false);
                }
            }
            else
            {
                await exchange.WriteServiceErrorAsync(404, "UnknownOperationException", $"No operation at {request.Method} {path}.", default).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client hung up: nothing more to write.
        }
    }

    private async Task<bool> AuthorizeAsync(Exchange exchange, string arn)
    {
        if (!string.Equals(arn, RuntimeArn, StringComparison.Ordinal))
        {
            await exchange.WriteServiceErrorAsync(404, "ResourceNotFoundException", $"No agent runtime {arn} was found (this local runtime serves {RuntimeArn}).", default).ConfigureAwait(false);
            return false;
        }

        if (_verifier is null)
        {
            return true;
        }

        HttpRequest request = exchange.Context.Request;
        var uri = new Uri($"{request.Scheme}://{request.Host}{exchange.RawTarget}");
        (bool valid, string reason) = await _verifier.VerifyAsync(request.Method, uri, exchange.Headers, exchange.Body, exchange.Context.RequestAborted).ConfigureAwait(false);
        exchange.SignatureValid = valid;
        if (!valid)
        {
            string errorType = exchange.Headers.ContainsKey("Authorization") ? "InvalidSignatureException" : "MissingAuthenticationTokenException";
            await exchange.WriteServiceErrorAsync(403, errorType, reason, default).ConfigureAwait(false);
        }

        return valid;
    }

    private async Task InvokeAsync(Exchange exchange)
    {
        if (!TryGetSessionId(exchange, out string? sessionId))
        {
            await exchange.WriteServiceErrorAsync(400, "ValidationException", "The runtime session id must be 33 to 256 characters long.", default).ConfigureAwait(false);
            return;
        }

        var invocation = new AgentInvocation(
            exchange.Route!.Value,
            sessionId,
            exchange.Context.Request.Query["qualifier"].FirstOrDefault(),
            exchange.Headers.GetValueOrDefault(AgentCoreHeaders.UserId),
            exchange.Context.Request.ContentType,
            exchange.Body,
            exchange.Headers,
            GetHistory(sessionId));

        AgentReply reply;
        try
        {
            reply = _options.Agent(invocation) ?? throw new InvalidOperationException("The agent returned no reply.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The service reports an agent that fails as RuntimeClientError (424); a container answers 500.
            await exchange.WriteServiceErrorAsync(exchange.Route == AgentRoute.DataPlane ? 424 : 500, "RuntimeClientError", $"The agent failed: {e.Message}", default).ConfigureAwait(false);
            return;
        }

        string? answer = await reply.WriteAsync(exchange, exchange.Context.RequestAborted).ConfigureAwait(false);
        if (answer is not null)
        {
            lock (_gate)
            {
                if (!_sessions.TryGetValue(sessionId, out List<AgentTurn>? turns))
                {
                    _sessions[sessionId] = turns = [];
                }

                turns.Add(new AgentTurn(invocation.Prompt, answer));
            }
        }
    }

    private async Task StopSessionAsync(Exchange exchange)
    {
        if (!TryGetSessionId(exchange, out string? sessionId) || !exchange.Headers.ContainsKey(SessionHeader))
        {
            await exchange.WriteServiceErrorAsync(400, "ValidationException", "StopRuntimeSession needs a session id of 33 to 256 characters.", default).ConfigureAwait(false);
            return;
        }

        bool known;
        lock (_gate)
        {
            known = _sessions.Remove(sessionId);
        }

        if (known)
        {
            await exchange.WriteJsonAsync(200, "{}").ConfigureAwait(false);
        }
        else
        {
            await exchange.WriteServiceErrorAsync(404, "ResourceNotFoundException", $"Session {sessionId} was not found.", default).ConfigureAwait(false);
        }
    }

    private const string SessionHeader = AgentCoreHeaders.SessionId;

    // TestServer hands the app a decoded path and no raw target, but signatures cover the path exactly as sent.
    private const string RawTargetHeader = "X-Local-AgentCore-Raw-Target";

    private sealed class RawTargetHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation(RawTargetHeader, request.RequestUri!.PathAndQuery);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private static bool TryGetSessionId(Exchange exchange, out string sessionId)
    {
        sessionId = exchange.Headers.GetValueOrDefault(SessionHeader) ?? "local-session-" + Guid.NewGuid().ToString("D");
        exchange.SessionId = sessionId;
        // The service's own rule, the one the client checks before sending.
        return sessionId.Length is >= RuntimeSessionId.MinLength and <= RuntimeSessionId.MaxLength;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private void Record(RecordedAgentRequest request)
    {
        lock (_gate)
        {
            _requests.Add(request);
        }
    }

    /// <summary>One request and its answer: writes the response and records the request once its status is known.</summary>
    private sealed class Exchange(LocalAgentRuntime runtime, HttpContext context, string rawTarget, Dictionary<string, string> headers, byte[] body) : ReplyWriter
    {
        public HttpContext Context { get; } = context;

        public string RawTarget { get; } = rawTarget;

        public Dictionary<string, string> Headers { get; } = headers;

        public byte[] Body { get; } = body;

        public AgentRoute? Route { get; set; }

        public string? SessionId { get; set; }

        public bool? SignatureValid { get; set; }

        public override async Task StartAsync(int statusCode, string contentType)
        {
            HttpResponse response = Context.Response;
            response.StatusCode = statusCode;
            response.ContentType = contentType;
            response.Headers[AgentCoreHeaders.RequestId] = Guid.NewGuid().ToString("D");
            if (SessionId is not null)
            {
                response.Headers[SessionHeader] = SessionId;
            }

            runtime.Record(new RecordedAgentRequest(Route, Context.Request.Method, RawTarget, Headers, Body, SessionId, SignatureValid, statusCode));
            await response.StartAsync(Context.RequestAborted).ConfigureAwait(false);
        }

        public override Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
            Context.Response.Body.WriteAsync(bytes, cancellationToken).AsTask();

        public override async Task WriteEventAsync(string frame, CancellationToken cancellationToken)
        {
            await Context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame), cancellationToken).ConfigureAwait(false);
            await Context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public override async Task WriteServiceErrorAsync(int statusCode, string errorType, string message, CancellationToken cancellationToken)
        {
            Context.Response.Headers[AgentCoreHeaders.ErrorType] = errorType;
            await WriteJsonAsync(statusCode, $"{{\"message\":{JsonSerializer.Serialize(message)}}}").ConfigureAwait(false);
        }

        public async Task WriteJsonAsync(int statusCode, string json)
        {
            await StartAsync(statusCode, "application/json").ConfigureAwait(false);
            await WriteAsync(Encoding.UTF8.GetBytes(json), Context.RequestAborted).ConfigureAwait(false);
        }
    }
}
