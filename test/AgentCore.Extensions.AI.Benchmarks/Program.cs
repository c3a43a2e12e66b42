// Licensed under the Apache License, Version 2.0.

using System;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace AgentCore.Extensions.AI.Benchmarks;

/// <summary>
/// Runs the benchmarks: <c>dotnet run -c Release --project test/AgentCore.Extensions.AI.Benchmarks -- --filter '*'</c>.
/// Every class carries <see cref="ShortJobAttribute"/> and <c>[MemoryDiagnoser]</c>. Results go to
/// <c>test/AgentCore.Extensions.AI.Benchmarks/BenchmarkDotNet.Artifacts</c> unless <c>--artifacts</c> says otherwise.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        IConfig config = DefaultConfig.Instance
            .AddColumn(ThroughputColumn.BodyBytes, ThroughputColumn.MegabytesPerSecond);
        if (!args.Contains("--artifacts", StringComparer.Ordinal))
        {
            // bin/Release/net10.0/ -> the project directory.
            config = config.WithArtifactsPath(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "BenchmarkDotNet.Artifacts")));
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
