// Licensed under the Apache License, Version 2.0.

using Amazon.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace AgentCore.Extensions.AI.Tests.Infrastructure;

/// <summary>Known ARNs, credentials and a fixed clock shared by the tests.</summary>
public static class TestClients
{
    public const string Arn = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/my-agent-runtime";
    public const string EncodedArn = "arn%3Aaws%3Abedrock-agentcore%3Aus-west-2%3A123456789012%3Aruntime%2Fmy-agent-runtime";
    public const string SessionId = "test-session-0123456789abcdef0123456789";
    public const string AccessKeyId = "AKIDEXAMPLE";
    public const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    public static readonly DateTimeOffset SigningTime = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static AgentCoreChatClientOptions Options(Action<AgentCoreChatClientOptions>? configure = null)
    {
        var options = new AgentCoreChatClientOptions
        {
            RuntimeArn = Arn,
            Credentials = new BasicAWSCredentials(AccessKeyId, SecretAccessKey),
            TimeProvider = new FakeTimeProvider(SigningTime),
            SessionIdGenerator = () => SessionId,
            RetryBaseDelay = TimeSpan.Zero,
        };
        configure?.Invoke(options);
        return options;
    }

    public static AgentCoreChatClient Create(RecordingHandler handler, Action<AgentCoreChatClientOptions>? configure = null) =>
        new(Options(configure), new HttpClient(handler));
}
