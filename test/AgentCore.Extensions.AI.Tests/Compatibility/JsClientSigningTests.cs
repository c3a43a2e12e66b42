// Licensed under the Apache License, Version 2.0.

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentCore.Extensions.AI.Tests.Infrastructure;
using Amazon.Runtime;
using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Tests.Compatibility;

/// <summary>
/// The signed InvokeAgentRuntime request our <see cref="AgentCoreChatClient"/> sends must equal, on the wire, what the
/// official JavaScript client (<c>@aws-sdk/client-bedrock-agentcore</c>, run by <c>test/peers/sign-invoke.mjs</c>) sends
/// for the same ARN, qualifier, session, user, account, body, credentials and clock: method, URL, every header, and the
/// Authorization header byte for byte. Nothing here is hard-coded except one pinned signature for the plain case.
/// </summary>
public sealed partial class JsClientSigningTests
{
    private const string Accept = "application/json, text/event-stream";
    private const string ContentType = "application/json";
    private const string ChinaArn = "arn:aws-cn:bedrock-agentcore:cn-north-1:123456789012:runtime/my-agent-runtime";

    /// <summary>
    /// The signature both clients give the plain case (qualifier DEFAULT, no session token, body <c>{"prompt":"Hello"}</c>).
    /// A regression guard only: the theory below compares against the JS client, not against this value.
    /// </summary>
    private const string PinnedPlainSignature = "d4f6d86ecab750f28b69052c395c1e997540d034d180a41ff745c5513c4f9a97";

    private static readonly string[] EndpointEnvironmentVariables =
        ["AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", "AWS_ENDPOINT_URL", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT"];

    /// <summary>One request to send through both clients.</summary>
    private sealed record SigningCase
    {
        public string Arn { get; init; } = TestClients.Arn;

        public string Region { get; init; } = "us-west-2";

        public string? Qualifier { get; init; }

        /// <summary>Gets a value indicating whether the qualifier is set on the client options rather than per request.</summary>
        public bool QualifierOnOptions { get; init; }

        public string? AccountId { get; init; }

        public string? UserId { get; init; }

        public string SessionId { get; init; } = TestClients.SessionId;

        public string? SessionToken { get; init; }

        public string Body { get; init; } = """{"prompt":"Hello"}""";

        public string? Endpoint { get; init; }

        public bool Fips { get; init; }

        public bool DualStack { get; init; }
    }

    private static readonly Dictionary<string, SigningCase> Cases = new()
    {
        ["1 plain, qualifier DEFAULT"] = new() { Qualifier = "DEFAULT", QualifierOnOptions = true },
        ["2 session token with / + ="] = new() { Qualifier = "DEFAULT", SessionToken = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLXdlc3QtMiJHMEUCIQ+abc/def+ghi==" },
        ["3 runtime user id"] = new() { Qualifier = "DEFAULT", UserId = "user-42@example.com" },
        ["4 account id and qualifier needing escaping"] = new() { Qualifier = "prod v1/x", AccountId = "123456789012" },
        ["5 no qualifier"] = new(),
        ["6 endpoint override with a port"] = new() { Qualifier = "DEFAULT", Endpoint = "https://localhost:8443" },
        ["7 FIPS endpoint"] = new() { Qualifier = "DEFAULT", Fips = true },
        ["8 non-ASCII UTF-8 body"] = new() { Qualifier = "DEFAULT", Body = """{"prompt":"Grüße, 世界 🌍"}""" },
        ["9 dual-stack endpoint"] = new() { Qualifier = "DEFAULT", DualStack = true },
        ["10 FIPS and dual-stack endpoint"] = new() { Fips = true, DualStack = true },
        ["11 China partition"] = new() { Arn = ChinaArn, Region = "cn-north-1", Qualifier = "DEFAULT" },
        ["12 China partition, dual-stack"] = new() { Arn = ChinaArn, Region = "cn-north-1", DualStack = true },
        ["13 qualifier with reserved characters"] = new() { Qualifier = "a+b=c&d*!'()~;,:@$", AccountId = "123456789012" },
        ["14 non-ASCII qualifier"] = new() { Qualifier = "prüf-ünï" },
        ["15 user id with runs of spaces and a tab"] = new() { Qualifier = "DEFAULT", UserId = "user  with   spaces\tand tab" },
        ["16 everything at once"] = new()
        {
            Qualifier = "prod v1/x",
            AccountId = "123456789012",
            UserId = "user-42",
            SessionId = "another-session-abcdefghijklmnopqrstuvwxyz-0123456789",
            SessionToken = "FwoGZXIvYXdzEBYaD/token+with/slashes==",
            Endpoint = "https://localhost:8443",
            Body = """{"messages":[{"role":"user","content":"Grüße 🌍 \"quoted\" \\ back"}]}""",
        },
    };

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (string name in Cases.Keys)
        {
            names.Add(name);
        }

        return names;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task SignedRequest_EqualsTheOfficialJsClients(string caseName)
    {
        SigningCase c = Cases[caseName];

        JsRequest js = await RunJsClientAsync(c);
        WireRequest ours = await RunOurClientAsync(c);

        string context =
            $"\n--- case: {caseName}" +
            $"\n--- JS canonical request:\n{js.CanonicalRequest}" +
            $"\n--- JS url: {js.Url}" +
            $"\n--- our url: {ours.Uri.AbsoluteUri}" +
            $"\n--- JS headers:\n{Describe(js.Headers)}" +
            $"\n--- our headers:\n{Describe(ours.Headers)}";

        // Method and URL, as each client puts them on the wire.
        Same(js.Method, ours.Method, "method", context);
        Same(js.Protocol, ours.Uri.Scheme + ":", "scheme", context);
        Same(js.Hostname, ours.Uri.IdnHost, "host", context);
        if (js.Port is { } port)
        {
            Same(port.ToString(CultureInfo.InvariantCulture), ours.Uri.Port.ToString(CultureInfo.InvariantCulture), "port", context);
        }
        else
        {
            Assert.True(ours.Uri.IsDefaultPort, $"port: the JS client uses the scheme's default port, ours uses {ours.Uri.Port}{context}");
        }

        Same(js.Path, ours.Path, "path (exactly as on the wire)", context);
        Same(string.Join("&", SortedPairs(js.RawQuery)), string.Join("&", SortedPairs(ours.RawQuery)), "query parameters (as encoded on the wire, order aside)", context);

        // Body and its length.
        Assert.True(js.Body.AsSpan().SequenceEqual(ours.Body), $"body: JS sends {js.Body.Length} bytes ({Convert.ToBase64String(js.Body)}), ours {ours.Body.Length} bytes ({Convert.ToBase64String(ours.Body)}){context}");
        Assert.True(Encoding.UTF8.GetBytes(c.Body).AsSpan().SequenceEqual(ours.Body), $"body: ours is not the UTF-8 of the payload given{context}");
        Same(ours.Body.Length.ToString(CultureInfo.InvariantCulture), ours.Headers.GetValueOrDefault("content-length"), "our content-length against our body length", context);

        // The signed headers: the same list, and every one with the same value.
        string ourAuthorization = ours.Headers.GetValueOrDefault("authorization") ?? string.Empty;
        Match ourAuth = AuthorizationPattern().Match(ourAuthorization);
        Assert.True(ourAuth.Success, $"our Authorization header is not SigV4: '{ourAuthorization}'{context}");
        string ourSignedHeaders = ourAuth.Groups["signed"].Value;

        string jsCanonicalSignedHeaders = js.CanonicalRequest.Split('\n')[^2];
        Same(jsCanonicalSignedHeaders, js.SignedHeaders, "JS canonical request's signed headers against its Authorization (harness self-check)", context);
        Same(jsCanonicalSignedHeaders, ourSignedHeaders, "SignedHeaders: the JS canonical request's list against ours", context);

        foreach (string name in js.SignedHeaders.Split(';'))
        {
            Same(js.Headers.GetValueOrDefault(name), ours.Headers.GetValueOrDefault(name), $"signed header '{name}'", context);
        }

        // Nothing more, nothing less on the wire either (user-agent aside: the harness drops the JS client's, and it is never signed).
        Same(
            string.Join(";", js.Headers.Keys.Order(StringComparer.Ordinal)),
            string.Join(";", ours.Headers.Keys.Where(k => k != "user-agent").Order(StringComparer.Ordinal)),
            "header names on the wire",
            context);

        // The Authorization header, byte for byte (hence credential scope, signed headers and signature).
        Same(js.Authorization, ourAuthorization, "Authorization", context);
        if (c.SessionToken is not null)
        {
            Same(c.SessionToken, ours.Headers.GetValueOrDefault("x-amz-security-token"), "x-amz-security-token", context);
            Assert.Contains("x-amz-security-token", ourSignedHeaders.Split(';'));
        }
    }

    [Fact]
    public async Task Plain_SignatureIsPinned_AndBothClientsGiveIt()
    {
        SigningCase c = Cases["1 plain, qualifier DEFAULT"];

        JsRequest js = await RunJsClientAsync(c);
        WireRequest ours = await RunOurClientAsync(c);

        Assert.Equal(PinnedPlainSignature, js.Signature);
        Assert.EndsWith("Signature=" + PinnedPlainSignature, ours.Headers["authorization"], StringComparison.Ordinal);
    }

    private static async Task<JsRequest> RunJsClientAsync(SigningCase c)
    {
        var input = new JsonObject
        {
            ["runtimeArn"] = c.Arn,
            ["qualifier"] = c.Qualifier,
            ["accountId"] = c.AccountId,
            ["sessionId"] = c.SessionId,
            ["userId"] = c.UserId,
            ["contentType"] = ContentType,
            ["accept"] = Accept,
            ["body"] = c.Body,
            ["accessKeyId"] = TestClients.AccessKeyId,
            ["secretAccessKey"] = TestClients.SecretAccessKey,
            ["sessionToken"] = c.SessionToken,
            ["region"] = c.Region,
            ["endpoint"] = c.Endpoint,
            ["signingTime"] = TestClients.SigningTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["useFipsEndpoint"] = c.Fips,
            ["useDualstackEndpoint"] = c.DualStack,
        };

        string output = await NodePeers.RunAsync("sign-invoke.mjs", input.ToJsonString());
        using JsonDocument document = JsonDocument.Parse(output);
        JsonElement root = document.RootElement;

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty header in root.GetProperty("headers").EnumerateObject())
        {
            headers[header.Name] = header.Value.ValueKind == JsonValueKind.String ? header.Value.GetString()! : header.Value.GetRawText();
        }

        string url = root.GetProperty("url").GetString()!;
        int question = url.IndexOf('?', StringComparison.Ordinal);
        JsonElement port = root.GetProperty("port");

        return new JsRequest(
            root.GetProperty("method").GetString()!,
            root.GetProperty("protocol").GetString()!,
            root.GetProperty("hostname").GetString()!,
            port.ValueKind == JsonValueKind.Number ? port.GetInt32() : null,
            root.GetProperty("path").GetString()!,
            question < 0 ? string.Empty : url[(question + 1)..],
            headers,
            root.GetProperty("authorization").GetString()!,
            root.GetProperty("signedHeaders").GetString()!,
            root.GetProperty("signature").GetString()!,
            root.GetProperty("canonicalRequest").GetString()!,
            url,
            Convert.FromBase64String(root.GetProperty("bodyBase64").GetString()!));
    }

    private static async Task<WireRequest> RunOurClientAsync(SigningCase c)
    {
        // sign-invoke.mjs removes every AWS_* variable before it builds the JS client; ours reads these (as the AWS SDKs do).
        // With one set, the two clients would be configured differently and the comparison would say nothing.
        foreach (string name in EndpointEnvironmentVariables)
        {
            Assert.True(
                string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)),
                $"{name} is set in the test environment: unset it to compare against the JS client, which runs without AWS_* variables.");
        }

        WireRequest? seen = null;
        var handler = new RecordingHandler().Respond(request =>
        {
            seen = WireRequest.From(request);
            return RecordingHandler.Response(HttpStatusCode.OK, Encoding.UTF8.GetBytes("""{"result":"ok"}"""), "application/json");
        });

        using var client = TestClients.Create(handler, o =>
        {
            o.RuntimeArn = c.Arn;
            o.Credentials = c.SessionToken is null
                ? new BasicAWSCredentials(TestClients.AccessKeyId, TestClients.SecretAccessKey)
                : new SessionAWSCredentials(TestClients.AccessKeyId, TestClients.SecretAccessKey, c.SessionToken);
            o.Endpoint = c.Endpoint is null ? null : new Uri(c.Endpoint);
            o.UseFipsEndpoint = c.Fips;
            o.UseDualStackEndpoint = c.DualStack;
            if (c.QualifierOnOptions)
            {
                o.Qualifier = c.Qualifier;
            }
        });

        var properties = new AdditionalPropertiesDictionary
        {
            [AgentCoreAdditionalPropertiesKeys.Payload] = c.Body,
            [AgentCoreAdditionalPropertiesKeys.RuntimeSessionId] = c.SessionId,
        };
        if (c.Qualifier is not null && !c.QualifierOnOptions)
        {
            properties[AgentCoreAdditionalPropertiesKeys.Qualifier] = c.Qualifier;
        }

        if (c.UserId is not null)
        {
            properties[AgentCoreAdditionalPropertiesKeys.RuntimeUserId] = c.UserId;
        }

        if (c.AccountId is not null)
        {
            properties[AgentCoreAdditionalPropertiesKeys.AccountId] = c.AccountId;
        }

        ChatResponse response = await client.GetResponseAsync("ignored: the payload replaces it", new ChatOptions { AdditionalProperties = properties });

        Assert.Equal("ok", response.Text);
        RecordedRequest recorded = Assert.Single(handler.Requests);
        Assert.NotNull(seen);
        Assert.True(recorded.Body.AsSpan().SequenceEqual(seen.Body), "the recorded body and the body seen on the request differ");
        return seen;
    }

    private static void Same(string? expectedFromJs, string? ours, string what, string context) =>
        Assert.True(
            string.Equals(expectedFromJs, ours, StringComparison.Ordinal),
            $"{what} differs.\n  JS client: {Show(expectedFromJs)}\n  ours:      {Show(ours)}{context}");

    private static string Show(string? value) => value is null ? "(absent)" : "'" + value + "'";

    private static string Describe(IReadOnlyDictionary<string, string> headers) =>
        string.Join("\n", headers.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"  {h.Key}: {h.Value}"));

    private static List<string> SortedPairs(string rawQuery) =>
        [.. rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];

    [GeneratedRegex("^AWS4-HMAC-SHA256 Credential=[^,]+, SignedHeaders=(?<signed>[^,]+), Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex AuthorizationPattern();

    /// <summary>What the JS client sent, as reported by <c>sign-invoke.mjs</c>.</summary>
    private sealed record JsRequest(
        string Method,
        string Protocol,
        string Hostname,
        int? Port,
        string Path,
        string RawQuery,
        IReadOnlyDictionary<string, string> Headers,
        string Authorization,
        string SignedHeaders,
        string Signature,
        string CanonicalRequest,
        string Url,
        byte[] Body);

    /// <summary>What our client hands to <see cref="HttpClient"/>, as SocketsHttpHandler would write it.</summary>
    private sealed record WireRequest(string Method, Uri Uri, string Path, string RawQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public static WireRequest From(HttpRequestMessage request)
        {
            Uri uri = request.RequestUri!;

            // The request line carries Uri.PathAndQuery; split it as the wire does.
            string pathAndQuery = uri.PathAndQuery;
            int question = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
            string path = question < 0 ? pathAndQuery : pathAndQuery[..question];
            string query = question < 0 ? string.Empty : pathAndQuery[(question + 1)..];

            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, IEnumerable<string>> header in request.Headers)
            {
                headers[Lower(header.Key)] = string.Join(", ", header.Value);
            }

            // Without a Host header SocketsHttpHandler writes the URI's authority, with the port only when it is not the default.
            headers["host"] = request.Headers.Host ?? (uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port.ToString(CultureInfo.InvariantCulture)}");

            byte[] body = [];
            if (request.Content is not null)
            {
                foreach (KeyValuePair<string, IEnumerable<string>> header in request.Content.Headers)
                {
                    headers[Lower(header.Key)] = string.Join(", ", header.Value);
                }

                // The handler writes Content-Length from the content's computed length.
                if (request.Content.Headers.ContentLength is { } length)
                {
                    headers["content-length"] = length.ToString(CultureInfo.InvariantCulture);
                }

                body = request.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
            }

            return new WireRequest(request.Method.Method, uri, path, query, headers, body);
        }

        private static string Lower(string name) => name.ToLowerInvariant();
    }
}
