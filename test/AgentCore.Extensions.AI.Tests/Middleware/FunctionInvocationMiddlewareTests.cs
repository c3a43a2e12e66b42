// Licensed under the Apache License, Version 2.0.

using System.Text.Json;
using AgentCore.Extensions.AI.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AgentCore.Extensions.AI.Tests.Middleware;

/// <summary>
/// <c>UseFunctionInvocation().UseLogging()</c> on the DI registration, against an agent that ran a tool itself (the Strands
/// tool-use recording): a client-side function of the same name is never invoked and nothing is sent back to the agent.
/// </summary>
public sealed class FunctionInvocationMiddlewareTests : IAsyncLifetime
{
    private const string Arn = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/tool-agent";
    private const string Answer = "Let me check.It is 18 C and sunny in Paris.";

    private readonly FakeLogCollector _logs = new();
    private LocalAgentRuntime _runtime = null!;
    private int _invoked;

    public async Task InitializeAsync()
    {
        byte[] recording = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Recordings", "strands-tool-use.sse"));
        _runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            RuntimeArn = Arn,
            Agent = _ => AgentReply.Body("text/event-stream", recording, Answer),
            VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
        });
    }

    public async Task DisposeAsync() => await _runtime.DisposeAsync();

    private ServiceProvider Build()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(_logs)));
        services.AddAgentCoreChatClient(o =>
            {
                o.RuntimeArn = _runtime.RuntimeArn;
                o.Endpoint = _runtime.BaseAddress;
                o.Credentials = LocalAgentRuntime.TestCredentials;
            })
            .UseFunctionInvocation()
            .UseLogging();
        return services.BuildServiceProvider();
    }

    private ChatOptions WithClientSideTool() => new()
    {
        Tools = [AIFunctionFactory.Create((string city, string unit) => { Interlocked.Increment(ref _invoked); return "client-side weather"; }, "get_weather")],
    };

    private void AssertTheAgentsToolUseIsInformational(IList<ChatMessage> messages)
    {
        ChatMessage message = Assert.Single(messages);
        Assert.Equal(ChatRole.Assistant, message.Role);

        FunctionCallContent call = Assert.Single(message.Contents.OfType<FunctionCallContent>());
        Assert.Equal("tooluse_Q1", call.CallId);
        Assert.Equal("get_weather", call.Name);
        Assert.True(call.InformationalOnly);
        Assert.Equal("Paris", ((JsonElement)call.Arguments!["city"]!).GetString());
        Assert.Equal("C", ((JsonElement)call.Arguments["unit"]!).GetString());

        FunctionResultContent result = Assert.Single(message.Contents.OfType<FunctionResultContent>());
        Assert.Equal("tooluse_Q1", result.CallId);
        Assert.Equal("18 C, sunny", result.Result);

        Assert.Equal(0, _invoked);
        RecordedAgentRequest request = Assert.Single(_runtime.Requests);
        Assert.True(request.SignatureValid);
        Assert.Equal("""{"prompt":"weather in Paris?"}""", request.BodyText);
    }

    private void AssertLoggedOneRoundTripAndNoInvocation(string method)
    {
        IReadOnlyList<FakeLogRecord> records = _logs.GetSnapshot();
        FakeLogRecord invoked = Assert.Single(records, r => r.Category == "Microsoft.Extensions.AI.LoggingChatClient" && r.Message.StartsWith($"{method} invoked:", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Trace, invoked.Level);
        Assert.Contains("weather in Paris?", invoked.Message);
        // The registration names the runtime and the session in the options every middleware sees.
        Assert.Contains($"\"modelId\": \"{Arn}\"", invoked.Message);
        Assert.Matches("\"runtimeSessionId\": \"agentcore-session-[0-9a-f-]{36}\"", invoked.Message);
        Assert.DoesNotContain(records, r => r.Message.Contains("Invoking get_weather", StringComparison.Ordinal));
        Assert.DoesNotContain(records, r => r.Message.Contains("client-side weather", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetResponseAsync_TheAgentsToolIsNotRunAgain_OneRequest()
    {
        await using ServiceProvider provider = Build();

        ChatResponse response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("weather in Paris?", WithClientSideTool());

        AssertTheAgentsToolUseIsInformational(response.Messages);
        Assert.Equal(Answer, response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        AssertLoggedOneRoundTripAndNoInvocation("GetResponseAsync");
        Assert.Contains(_logs.GetSnapshot(), r => r.Message.StartsWith("GetResponseAsync completed:", StringComparison.Ordinal) && r.Message.Contains("18 C, sunny"));
    }

    [Fact]
    public async Task Streaming_TheAgentsToolIsNotRunAgain_OneRequest()
    {
        await using ServiceProvider provider = Build();

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in provider.GetRequiredService<IChatClient>().GetStreamingResponseAsync("weather in Paris?", WithClientSideTool()))
        {
            updates.Add(update);
        }

        ChatResponse response = updates.ToChatResponse();
        AssertTheAgentsToolUseIsInformational(response.Messages);
        Assert.Equal(Answer, response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        AssertLoggedOneRoundTripAndNoInvocation("GetStreamingResponseAsync");
    }
}
