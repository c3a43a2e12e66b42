// Licensed under the Apache License, Version 2.0.

using System.Globalization;
using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace AgentCore.Extensions.AI.Benchmarks;

/// <summary>
/// The body size and the decode throughput of a benchmark that reads one whole body per invocation:
/// MB/s = body bytes / (mean time per operation × OperationsPerInvoke), with 1 MB = 10^6 bytes.
/// Empty for benchmarks that name no body (a <c>Shape</c> parameter or <see cref="BodyShapeAttribute"/>).
/// </summary>
public sealed class ThroughputColumn(bool bodySize) : IColumn
{
    public static readonly IColumn BodyBytes = new ThroughputColumn(bodySize: true);
    public static readonly IColumn MegabytesPerSecond = new ThroughputColumn(bodySize: false);

    public string Id => bodySize ? "BodyBytes" : "MBps";

    public string ColumnName => bodySize ? "Body (bytes)" : "MB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => bodySize ? 0 : 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => bodySize
        ? "Size of the response body decoded per invocation"
        : "Body bytes decoded per second (10^6 bytes), from the mean time of one invocation (Mean × OperationsPerInvoke)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (ShapeOf(benchmarkCase) is not { } shape)
        {
            return "-";
        }

        int bytes = Bodies.For(shape).Length;
        if (bodySize)
        {
            return bytes.ToString("N0", CultureInfo.InvariantCulture);
        }

        BenchmarkDotNet.Mathematics.Statistics? statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null)
        {
            return "NA";
        }

        double nanosecondsPerInvoke = statistics.Mean * benchmarkCase.Descriptor.OperationsPerInvoke;
        return (bytes / nanosecondsPerInvoke * 1000).ToString("N1", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;

    private static Shape? ShapeOf(BenchmarkCase benchmarkCase)
    {
        if (benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<BodyShapeAttribute>() is { } attribute)
        {
            return attribute.Shape;
        }

        return benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Shape")?.Value is Shape shape ? shape : null;
    }
}
