// Licensed under the Apache License, Version 2.0.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Signing;
using AgentCore.Extensions.AI.Runtime;

namespace AgentCore.Extensions.AI.Transport;

/// <summary>
/// Signs data-plane requests with AWSSDK.Core's public SigV4 signer. Nothing cryptographic is done here: this only
/// decides which headers are signed and copies the signer's output onto the request.
/// </summary>
internal sealed class SigV4RequestSigner
{
    private readonly AWSCredentials? _configured;
    private readonly string? _profile;
    private readonly string? _profilesLocation;
    private readonly TimeProvider _timeProvider;
    private AWSCredentials? _resolved;

    public SigV4RequestSigner(AWSCredentials? credentials, string? profile, string? profilesLocation, TimeProvider timeProvider)
    {
        _configured = credentials;
        _profile = profile;
        _profilesLocation = profilesLocation;
        _timeProvider = timeProvider;
    }

    /// <summary>
    /// Signs <paramref name="request"/> in place. Every header already on it (and Host) is signed, as the AWS JS client
    /// does; tracing headers are added afterwards by the caller and stay unsigned.
    /// </summary>
    public async Task SignAsync(HttpRequestMessage request, byte[] body, string region, CancellationToken cancellationToken)
    {
        var signingRequest = new AWSSigningRequest
        {
            HttpMethod = request.Method,
            RequestUri = request.RequestUri!,
            Content = body,
        };

        foreach (KeyValuePair<string, IEnumerable<string>> header in request.Headers)
        {
            signingRequest.Headers[header.Key] = string.Join(", ", header.Value);
        }

        if (request.Content is not null)
        {
            foreach (KeyValuePair<string, IEnumerable<string>> header in request.Content.Headers)
            {
                signingRequest.Headers[header.Key] = string.Join(", ", header.Value);
            }

            signingRequest.Headers["Content-Length"] = body.Length.ToString(CultureInfo.InvariantCulture);
        }

        var parameters = new AWSSigV4Parameters
        {
            Credentials = _configured ?? _resolved ?? await ResolveDefaultAsync().ConfigureAwait(false),
            Region = RegionEndpoint.GetBySystemName(region),
            Service = AgentCoreEndpoints.ServiceName,
            SignedAt = _timeProvider.GetUtcNow().UtcDateTime,
        };

        AWSSigningResult result = await AWSSigV4Signer.SignAsync(signingRequest, parameters, cancellationToken).ConfigureAwait(false);
        foreach (KeyValuePair<string, string> header in result.Headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    // Resolved at the first call, not at construction, so a client for a local container or a bearer-token runtime
    // never looks for AWS credentials; a failed look-up is not cached, so credentials that appear later are found.
    private async Task<AWSCredentials> ResolveDefaultAsync()
    {
        if (_profile is not null)
        {
            var profiles = _profilesLocation is null ? new CredentialProfileStoreChain() : new CredentialProfileStoreChain(_profilesLocation);
            return _resolved = profiles.TryGetAWSCredentials(_profile, out AWSCredentials profileCredentials)
                ? profileCredentials
                : throw new AgentCoreException($"AgentCoreChatClientOptions.Profile: no AWS profile named '{_profile}' was found in the shared config or credentials files.")
                {
                    Kind = AgentCoreErrorKind.Unauthorized,
                };
        }

        try
        {
            return _resolved = await DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync(null).ConfigureAwait(false);
        }
        catch (AmazonClientException e)
        {
            throw new AgentCoreException(
                "No AWS credentials were found by AWSSDK.Core's default chain: set AgentCoreChatClientOptions.Credentials, " +
                "the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables, or a profile (AWS_PROFILE).",
                e)
            {
                Kind = AgentCoreErrorKind.Unauthorized,
            };
        }
    }
}
