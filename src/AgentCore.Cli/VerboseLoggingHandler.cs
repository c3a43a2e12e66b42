// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace AgentCore.Cli;

/// <summary>Prints each request's and response's headers for --verbose, with every secret redacted.</summary>
internal sealed partial class VerboseLoggingHandler(HttpMessageHandler inner, TextWriter log) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        log.WriteLine($"> {request.Method} {request.RequestUri}");
        Write(">", request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()));
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        log.WriteLine($"< {(int)response.StatusCode} {response.ReasonPhrase}");
        Write("<", response.Headers.Concat(response.Content.Headers));
        log.WriteLine();
        return response;
    }

    /// <summary>Returns a header value safe to print: signatures, tokens and access keys never are.</summary>
    internal static string Redact(string name, string value) => name.ToLowerInvariant() switch
    {
        "authorization" when value.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal) =>
            SignatureValue().Replace(AccessKeyValue().Replace(value, "Credential=<redacted>/"), "Signature=<redacted>"),
        "authorization" => value.Split(' ', 2)[0] + " <redacted>",
        "x-amz-security-token" or "cookie" or "set-cookie" or "x-api-key" => "<redacted>",
        _ => value,
    };

    private void Write(string direction, IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers)
    {
        foreach (KeyValuePair<string, IEnumerable<string>> header in headers)
        {
            log.WriteLine($"{direction} {header.Key}: {Redact(header.Key, string.Join(", ", header.Value))}");
        }
    }

    [GeneratedRegex("Credential=[^/]+/")]
    private static partial Regex AccessKeyValue();

    [GeneratedRegex("Signature=[0-9a-f]+")]
    private static partial Regex SignatureValue();
}
