// Licensed under the Apache License, Version 2.0.

using Microsoft.Extensions.AI;

namespace AgentCore.Extensions.AI.Tests.EndToEnd;

/// <summary>
/// The README's quick start, as written, against a loopback server that verifies SigV4 with the AWS JS signer. The only
/// difference from production is the environment, set the AWS SDK way: AWS_ENDPOINT_URL and AWS_ACCESS_KEY_ID/SECRET.
/// </summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class ReadmeQuickStartTests(SignedLoopbackServerFixture server) : IClassFixture<SignedLoopbackServerFixture>
{
    [Fact]
    public async Task QuickStart_RunsAsWritten()
    {
        using var environment = new EnvironmentScope(
            ("AWS_ENDPOINT_URL", $"http://127.0.0.1:{server.Port}"),
            ("AWS_ACCESS_KEY_ID", SignedLoopbackServerFixture.BasicAccessKeyId),
            ("AWS_SECRET_ACCESS_KEY", SignedLoopbackServerFixture.BasicSecretKey),
            ("AWS_SESSION_TOKEN", null));
        var console = new StringWriter();
        TextWriter original = Console.Out;
        Console.SetOut(console);
        ChatResponse r;
        try
        {
            // --- README quick start, verbatim ---
            IChatClient client = new AgentCoreChatClient(new AgentCoreChatClientOptions
            {
                RuntimeArn = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/my-agent-runtime",
            });
            r = await client.GetResponseAsync("Explain machine learning in simple terms");
            await foreach (var u in client.GetStreamingResponseAsync("What are the key principles of software architecture?"))
                Console.Write(u.Text);
            // --- end ---
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.Equal("You said: Explain machine learning in simple terms", r.Text);
        Assert.Equal("You said: What are the key principles of software architecture?", console.ToString());
        Assert.Equal(2, server.Server.OutputLines.Count(l => l.Contains("\"type\":\"request\"", StringComparison.Ordinal) && l.Contains("\"signatureValid\":true", StringComparison.Ordinal)));
    }
}
