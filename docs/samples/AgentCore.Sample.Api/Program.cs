// Licensed under the Apache License, Version 2.0.

using AgentCore.Sample.Api;

// A minimal API in front of the agents configured under AgentCore:Runtimes (appsettings.json): POST /ask/{runtime}
// streams the agent's answer as text/plain as it arrives, and names the runtime session in x-agentcore-session-id.
// Credentials: AWSSDK.Core's default chain, an AgentCore:Profile, or AWSOptions registered with AddDefaultAWSOptions.
var builder = WebApplication.CreateBuilder(args);

// One keyed IChatClient per AgentCore:Runtimes:{name}; each inherits what it leaves unset from the AgentCore section.
builder.Services.AddAgentCoreRuntimes(builder.Configuration);

var app = builder.Build();

app.MapPost("/ask/{runtime}", AskEndpoint.AskAsync);

app.Run();

/// <summary>The sample's entry point; public and partial so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
