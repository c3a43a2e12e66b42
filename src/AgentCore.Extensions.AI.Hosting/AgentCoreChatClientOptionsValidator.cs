// Licensed under the Apache License, Version 2.0.

using System;
using Microsoft.Extensions.Options;

namespace AgentCore.Extensions.AI.Hosting;

/// <summary>Validates registered options with the client's own rules, so a bad setting stops the host at start.</summary>
internal sealed class AgentCoreChatClientOptionsValidator : IValidateOptions<AgentCoreChatClientOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentCoreChatClientOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            string runtime = string.IsNullOrEmpty(name) ? "The AgentCore chat client" : $"AgentCore runtime '{name}'";
            return ValidateOptionsResult.Fail($"{runtime}: {e.Message}");
        }
    }
}
