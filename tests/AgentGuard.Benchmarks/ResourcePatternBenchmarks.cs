using AgentGuard.Policy;
using BenchmarkDotNet.Attributes;

namespace AgentGuard.Benchmarks;

/// <summary>
/// What a resource pattern (a glob in a shell operand) costs the first time the policy sees it:
/// compiling the pattern and intersecting it with every asset of the shipped policy. Later calls
/// with the same pattern take the policy set's cache, as names do.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[BenchmarkCategory("Phases")]
public class ResourcePatternBenchmarks
{
    private PolicySet _policy = null!;

    /// <summary>Patterns agents write, and a hostile one that runs into <see cref="GlobAutomaton.MaxComparisons"/>.</summary>
    public static IEnumerable<string> Patterns =>
    [
        "file:///data/*weight*",
        "file:///data/*.tx[tu]",
        "file:///**/reports/q4.xlsx",
        "host://10.0.12.46/data/**",
        "file:///" + string.Concat(Enumerable.Repeat("*a", 300)),
    ];

    [ParamsSource(nameof(Patterns))]
    public string Pattern { get; set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        _policy = PolicyFixture.Load();

        // The assets' automata are built on first use, once per policy set: not what is measured.
        Uncached();
    }

    [Benchmark(Description = "pattern against every asset (uncached)")]
    public ulong Uncached()
    {
        var automaton = ResourcePattern.ToAutomaton(Pattern);
        ulong mask = 0;
        for (var i = 0; i < _policy.Assets.Length; i++)
        {
            if (_policy.Assets[i].Intersects(automaton))
            {
                mask |= 1UL << i;
            }
        }

        return mask;
    }

    [Benchmark(Description = "pattern asset mask (cached)")]
    public ulong Cached() => _policy.PatternAssetMask(Pattern);
}
