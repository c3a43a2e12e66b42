// Licensed under the Apache License, Version 2.0.

using System.Text.Json;
using AgentCore.Extensions.AI.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AgentCore.Extensions.AI.Frameworks.Tests;

/// <summary>Semantic Kernel 1.82 over the real AgentCoreChatClient and a local AgentCore runtime that verifies SigV4.</summary>
public sealed class SemanticKernelTests
{
    private const string SessionId = "sk-session-0123456789abcdefghijklmnopqrstuv";

    private static Task<LocalAgentRuntime> StartRuntimeAsync() => LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
    {
        Agent = invocation => AgentReply.StrandsEvents([$"Answer {invocation.TurnNumber} ", $"to: {invocation.Prompt}"], usage: (10, 4)),
        VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
    });

    private static Kernel BuildKernel(IChatClient client)
    {
        // SK 1.82 has no IKernelBuilder.AddChatClient for an arbitrary IChatClient: register it with MEAI's AddChatClient.
        // Prompt functions pick it up through IChatClientSelector when no IChatCompletionService is registered.
        IKernelBuilder builder = Kernel.CreateBuilder();
        builder.Services.AddChatClient(client);
        return builder.Build();
    }

    [Fact]
    public async Task InvokePromptAsync_ReturnsTheAgentsText_AndTheSessionInTheChatResponse()
    {
        await using LocalAgentRuntime runtime = await StartRuntimeAsync();
        using IChatClient client = runtime.CreateChatClient();
        Kernel kernel = BuildKernel(client);

        FunctionResult result = await kernel.InvokePromptAsync("reset my password");

        Assert.Equal("Answer 1 to: reset my password", result.GetValue<string>());
        Assert.Equal("Answer 1 to: reset my password", result.ToString());

        // With an IChatClient the function's value is MEAI's ChatResponse, which carries the runtime session.
        ChatResponse response = Assert.IsType<ChatResponse>(result.GetValue<ChatResponse>());
        RecordedAgentRequest request = Assert.Single(runtime.Requests);
        Assert.Equal(request.SessionId, response.ConversationId);
        Assert.Equal((10, 4), (response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount));
        Assert.Equal("""{"prompt":"reset my password"}""", request.BodyText);
        Assert.True(request.SignatureValid);
    }

    [Fact]
    public async Task InvokePromptStreamingAsync_StreamsTheAgentsChunks()
    {
        await using LocalAgentRuntime runtime = await StartRuntimeAsync();
        using IChatClient client = runtime.CreateChatClient();
        Kernel kernel = BuildKernel(client);

        var chunks = new List<string>();
        await foreach (StreamingKernelContent content in kernel.InvokePromptStreamingAsync("reset my password"))
        {
            string text = content.ToString() ?? "";
            if (text.Length > 0)
            {
                chunks.Add(text);
            }
        }

        Assert.Equal(["Answer 1 ", "to: reset my password"], chunks);
        Assert.True(Assert.Single(runtime.Requests).SignatureValid);
    }

    [Fact]
    public async Task ExecutionSettings_ExtensionData_ReachTheWire()
    {
        AgentInvocation? seen = null;
        await using LocalAgentRuntime runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            Agent = invocation =>
            {
                seen = invocation;
                return AgentReply.StrandsEvents(["Done."]);
            },
            VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
        });
        using IChatClient client = runtime.CreateChatClient();
        Kernel kernel = BuildKernel(client);
        var settings = new PromptExecutionSettings
        {
            ExtensionData = new Dictionary<string, object>
            {
                ["qualifier"] = "production",
                ["runtimeSessionId"] = SessionId,
                ["runtimeUserId"] = "user-42",
            },
        };

        FunctionResult result = await kernel.InvokePromptAsync("where is my order?", new KernelArguments(settings));

        Assert.Equal("Done.", result.ToString());
        Assert.NotNull(seen);
        Assert.Equal("production", seen.Qualifier);
        Assert.Equal(SessionId, seen.SessionId);
        Assert.Equal("user-42", seen.UserId);
        RecordedAgentRequest request = Assert.Single(runtime.Requests);
        Assert.EndsWith("/invocations?qualifier=production", request.RawTarget, StringComparison.Ordinal);
        Assert.Equal(SessionId, request.Headers["X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"]);
        Assert.Equal("user-42", request.Headers["X-Amzn-Bedrock-AgentCore-Runtime-User-Id"]);
        Assert.True(request.SignatureValid);
        Assert.Equal(SessionId, result.GetValue<ChatResponse>()!.ConversationId);
    }

    [Fact]
    public async Task ExecutionSettings_FromJson_ReachTheWire()
    {
        // Settings read from JSON (a prompt's config file, a settings store) hold JsonElement values.
        await using LocalAgentRuntime runtime = await StartRuntimeAsync();
        using IChatClient client = runtime.CreateChatClient();
        Kernel kernel = BuildKernel(client);
        PromptExecutionSettings settings = JsonSerializer.Deserialize<PromptExecutionSettings>(
            $$"""{"qualifier": "production", "runtimeSessionId": "{{SessionId}}"}""")!;
        Assert.IsType<JsonElement>(settings.ExtensionData!["qualifier"]);

        FunctionResult first = await kernel.InvokePromptAsync("reset my password", new KernelArguments(settings));
        FunctionResult second = await kernel.InvokePromptAsync("and my username?", new KernelArguments(settings));

        Assert.Equal("Answer 1 to: reset my password", first.ToString());
        Assert.Equal("Answer 2 to: and my username?", second.ToString());
        Assert.Equal(["reset my password", "and my username?"], runtime.GetHistory(SessionId).Select(turn => turn.Prompt));
        Assert.All(runtime.Requests, request =>
        {
            Assert.EndsWith("/invocations?qualifier=production", request.RawTarget, StringComparison.Ordinal);
            Assert.Equal(SessionId, request.SessionId);
            Assert.True(request.SignatureValid);
        });
    }

    [Fact]
    public async Task AddKernel_WithKeyedAgentCoreClients_ServiceIdPicksTheRuntime()
    {
        // The ASP.NET Core way: the Hosting package registers each runtime as a keyed IChatClient, SK's AddKernel builds the
        // Kernel from the same container, and PromptExecutionSettings.ServiceId picks the runtime by its key.
        await using LocalAgentRuntime support = await StartRuntimeAsync();
        await using LocalAgentRuntime billing = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            RuntimeArn = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/billing-agent",
            Agent = invocation => AgentReply.StrandsEvents(["Billing: ", invocation.Prompt ?? ""]),
            VerifySignaturesWith = LocalAgentRuntime.TestCredentials,
        });
        var services = new ServiceCollection();
        services.AddKernel();
        foreach ((string key, LocalAgentRuntime runtime) in new[] { ("support", support), ("billing", billing) })
        {
            services.AddKeyedAgentCoreChatClient(key, o =>
            {
                o.RuntimeArn = runtime.RuntimeArn;
                o.Endpoint = runtime.BaseAddress;
                o.Credentials = LocalAgentRuntime.TestCredentials;
                o.Qualifier = "DEFAULT";
            });
        }

        await using ServiceProvider provider = services.BuildServiceProvider();
        Kernel kernel = provider.GetRequiredService<Kernel>();

        FunctionResult toBilling = await kernel.InvokePromptAsync("my invoice", new KernelArguments(new PromptExecutionSettings { ServiceId = "billing" }));
        FunctionResult toSupport = await kernel.InvokePromptAsync("reset my password", new KernelArguments(new PromptExecutionSettings { ServiceId = "support" }));

        Assert.Equal("Billing: my invoice", toBilling.ToString());
        Assert.Equal("Answer 1 to: reset my password", toSupport.ToString());
        Assert.EndsWith("/invocations?qualifier=DEFAULT", Assert.Single(billing.Requests).RawTarget, StringComparison.Ordinal);
        Assert.EndsWith("/invocations?qualifier=DEFAULT", Assert.Single(support.Requests).RawTarget, StringComparison.Ordinal);
        Assert.True(billing.Requests[0].SignatureValid);
        Assert.True(support.Requests[0].SignatureValid);
    }

    [Fact]
    public async Task ChatCompletionService_Adapter_AnswersAndStreams_InOnePinnedSession()
    {
        await using LocalAgentRuntime runtime = await StartRuntimeAsync();
        using IChatClient client = runtime.CreateChatClient();
        IChatCompletionService chat = client.AsChatCompletionService();

        // ChatMessageContent carries no ConversationId: with IChatCompletionService, pin the session in the settings.
        var settings = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["runtimeSessionId"] = SessionId } };
        var history = new ChatHistory("You are a support agent.");
        history.AddUserMessage("reset my password");

        ChatMessageContent answer = await chat.GetChatMessageContentAsync(history, settings);

        Assert.Equal("Answer 1 to: reset my password", answer.Content);
        Assert.Equal(AuthorRole.Assistant, answer.Role);
        history.Add(answer);
        history.AddUserMessage("and my username?");

        var chunks = new List<string>();
        await foreach (StreamingChatMessageContent update in chat.GetStreamingChatMessageContentsAsync(history, settings))
        {
            if (!string.IsNullOrEmpty(update.Content))
            {
                chunks.Add(update.Content);
            }
        }

        Assert.Equal(["Answer 2 ", "to: and my username?"], chunks);

        // The prompt payload sends only the last user message; the session holds the rest.
        Assert.Equal(
            ["""{"prompt":"reset my password"}""", """{"prompt":"and my username?"}"""],
            runtime.Requests.Select(request => request.BodyText));
        Assert.All(runtime.Requests, request => Assert.Equal(SessionId, request.SessionId));
        Assert.All(runtime.Requests, request => Assert.True(request.SignatureValid));
    }
}
