// Licensed under the Apache License, Version 2.0.

using System.Text;
using AgentCore.Extensions.AI;
using Microsoft.Extensions.AI;

namespace AgentCore.Sample.Api;

/// <summary>The body of <c>POST /ask/{runtime}</c>.</summary>
/// <param name="Prompt">What to ask the agent.</param>
/// <param name="SessionId">The runtime session to continue (the <c>x-agentcore-session-id</c> of an earlier answer), or null for a new one.</param>
internal sealed record AskRequest(string? Prompt, string? SessionId);

/// <summary><c>POST /ask/{runtime}</c>: streams the agent's answer to the HTTP client as it arrives.</summary>
internal static class AskEndpoint
{
    /// <summary>The response header that names the runtime session the answer belongs to.</summary>
    public const string SessionHeader = "x-agentcore-session-id";

    public static async Task AskAsync(string runtime, AskRequest request, HttpContext context, IServiceProvider services, ILoggerFactory loggerFactory)
    {
        // The runtime name in the route picks the keyed IChatClient that AddAgentCoreRuntimes registered under that name.
        if (services.GetKeyedService<IChatClient>(runtime) is not { } agent)
        {
            await Results.Problem($"No AgentCore runtime named '{runtime}' is configured.", statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context);
            return;
        }

        if (string.IsNullOrWhiteSpace(request.Prompt))
        {
            await Results.Problem("The request needs a prompt.", statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(context);
            return;
        }

        // ConversationId is the runtime session: null starts a new one, an earlier answer's id continues it.
        var options = new ChatOptions { ConversationId = request.SessionId };
        IAsyncEnumerator<ChatResponseUpdate> updates;
        try
        {
            // The client validates every setting at the call (a malformed session id, say), before anything is sent.
            updates = agent.GetStreamingResponseAsync(request.Prompt, options, context.RequestAborted).GetAsyncEnumerator(context.RequestAborted);
        }
        catch (ArgumentException e)
        {
            await Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(context);
            return;
        }

        await using (updates)
        {
            // The first update comes with the agent's response headers: a failure before it can still get a status code.
            bool more;
            try
            {
                more = await updates.MoveNextAsync();
            }
            catch (AgentCoreException e)
            {
                await Results.Problem(e.Message, statusCode: StatusCodes.Status502BadGateway, title: $"The agent failed ({e.Kind}).").ExecuteAsync(context);
                return;
            }

            // Every update names the session the runtime answered in; it must go out before the body starts.
            if ((more ? updates.Current.ConversationId : request.SessionId) is { } session)
            {
                context.Response.Headers[SessionHeader] = session;
            }

            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.StartAsync(context.RequestAborted);
            try
            {
                for (; more; more = await updates.MoveNextAsync())
                {
                    string text = updates.Current.Text;
                    if (text.Length > 0)
                    {
                        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), context.RequestAborted);
                        await context.Response.Body.FlushAsync(context.RequestAborted);
                    }
                }
            }
            catch (AgentCoreException e)
            {
                // The status line has gone out: break the response off so the client sees a truncated answer, never a
                // shorter one that looks complete.
                loggerFactory.CreateLogger(typeof(AskEndpoint)).LogWarning(e, "The agent failed mid-answer ({Kind}); the response was aborted.", e.Kind);
                context.Abort();
            }
        }
    }
}
