using BenchmarkDotNet.Running;

namespace AgentGuard.Benchmarks;

/// <summary>
/// Runs the benchmarks: <c>dotnet run -c Release --project tests/AgentGuard.Benchmarks -- --filter '*'</c>.
/// Every class uses <see cref="BenchmarkConfig"/> (short job, memory diagnoser, percentile columns).
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
