// Licensed under the Apache License, Version 2.0.

using System.Threading;
using System.Threading.Tasks;
using AgentCore.Extensions.AI.Requests;

namespace AgentCore.Extensions.AI.Transport;

/// <summary>
/// The seam between the chat client and the wire: sends one invocation and hands back the streaming answer.
/// </summary>
/// <remarks>
/// Today's implementation signs HTTP requests itself (<see cref="HttpAgentCoreTransport"/>). A transport over the AWS SDK's
/// <c>IAmazonBedrockAgentCore</c> fits here too once that package can be used: it takes the same
/// <see cref="InvocationRequest"/> and returns the response stream with its content type and session id.
/// Implementations retry only before any of the body is handed out, and throw <see cref="AgentCoreException"/> for error answers.
/// </remarks>
internal interface IAgentCoreTransport
{
    /// <summary>Invokes the runtime and returns once the answer's headers have arrived.</summary>
    Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken);

    /// <summary>Stops a runtime session.</summary>
    Task StopSessionAsync(StopSessionRequest request, CancellationToken cancellationToken);
}
