using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace AgentGuard.Benchmarks;

/// <summary>
/// A short job so that <c>--filter '*'</c> finishes in a few minutes on a 2-core machine: one
/// launch, 3 warm-up and 20 measured iterations of ~250 ms each. Mean, median and p95 are taken
/// over the iterations (each iteration averages many calls); allocations come from the memory
/// diagnoser and are exact per call.
/// </summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(20)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .WithId("Short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Mean, StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.StdDev);
        WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40).WithSizeUnit(Perfolizer.Metrology.SizeUnit.B));
    }
}
