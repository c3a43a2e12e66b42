// Licensed under the Apache License, Version 2.0.

namespace AgentCore.Gateway.Tests.Load;

/// <summary>
/// The test assembly's entry point. <c>dotnet test</c> never calls it (the test host loads the assembly); run directly
/// with <c>load</c> it measures the gateway against the client (<see cref="GatewayLoad"/>, docs/gateway.md).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["load", .. var rest])
        {
            return await GatewayLoad.RunAsync(rest);
        }

        Console.Error.WriteLine("usage: dotnet exec AgentCore.Gateway.Tests.dll load [--seconds 10] [--warmup 3] [--concurrency 1,16] [--wrk]");
        Console.Error.WriteLine("(the tests themselves run with dotnet test)");
        return 2;
    }
}
