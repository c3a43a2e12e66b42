// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace AgentCore.Extensions.AI.Testing.Internal;

/// <summary>
/// Checks a request's SigV4 signature the way the service does: re-signs the received request (its method, raw path and
/// query, the headers it says it signed, its body and its date) with AWSSDK.Core's signer and the known credentials,
/// and compares signatures in constant time. No cryptography of its own.
/// </summary>
internal sealed class SigV4Verifier(AWSCredentials credentials)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    // Added by the signer itself from the time, body and credentials given to it.
    private static readonly HashSet<string> SignerOwnedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token",
    };

    public async Task<(bool Valid, string Reason)> VerifyAsync(
        string method,
        Uri requestUri,
        IReadOnlyDictionary<string, string> headers,
        byte[] body,
        CancellationToken cancellationToken)
    {
        if (!headers.TryGetValue("Authorization", out string? authorization) || !authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return (false, "Missing Authentication Token: the request has no AWS4-HMAC-SHA256 Authorization header.");
        }

        Dictionary<string, string> parts = ParseAuthorization(authorization[(Algorithm.Length + 1)..]);
        if (!parts.TryGetValue("Credential", out string? credential) || !parts.TryGetValue("SignedHeaders", out string? signedHeaders) || !parts.TryGetValue("Signature", out string? signature))
        {
            return (false, "The Authorization header lacks Credential, SignedHeaders or Signature.");
        }

        string[] scope = credential.Split('/');
        ImmutableCredentials known = await credentials.GetCredentialsAsync().ConfigureAwait(false);
        if (scope.Length != 5 || scope[0] != known.AccessKey || scope[3] != "bedrock-agentcore" || scope[4] != "aws4_request")
        {
            return (false, "The credential scope does not name the known access key and the bedrock-agentcore service.");
        }

        if (!headers.TryGetValue("X-Amz-Date", out string? amzDate) ||
            !DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime signedAt))
        {
            return (false, "The request has no valid X-Amz-Date header.");
        }

        var request = new AWSSigningRequest { HttpMethod = new HttpMethod(method), RequestUri = requestUri, Content = body };
        foreach (string name in signedHeaders.Split(';'))
        {
            if (SignerOwnedHeaders.Contains(name))
            {
                continue;
            }

            if (!headers.TryGetValue(name, out string? value))
            {
                return (false, $"The signed header '{name}' is not on the request.");
            }

            request.Headers[name] = value;
        }

        AWSSigningResult expected = await AWSSigV4Signer.SignAsync(
            request,
            new AWSSigV4Parameters
            {
                Credentials = credentials,
                Region = RegionEndpoint.GetBySystemName(scope[2]),
                Service = "bedrock-agentcore",
                SignedAt = signedAt,
            },
            cancellationToken).ConfigureAwait(false);

        Dictionary<string, string> expectedParts = ParseAuthorization(expected.Headers["Authorization"][(Algorithm.Length + 1)..]);
        if (expectedParts["SignedHeaders"] != signedHeaders)
        {
            return (false, $"The request signed '{signedHeaders}' but its headers sign as '{expectedParts["SignedHeaders"]}'.");
        }

        bool same = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expectedParts["Signature"]), Encoding.ASCII.GetBytes(signature));
        return same
            ? (true, "valid")
            : (false, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
    }

    private static Dictionary<string, string> ParseAuthorization(string text)
    {
        var parts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                parts[part[..equals]] = part[(equals + 1)..];
            }
        }

        return parts;
    }
}
