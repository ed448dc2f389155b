using System.Diagnostics;
using AgentGuard.Policy;
using BenchmarkDotNet.Running;

namespace AgentGuard.Benchmarks;

/// <summary>
/// Runs the benchmarks: <c>dotnet run -c Release --project tests/AgentGuard.Benchmarks -- --filter '*'</c>.
/// Every class uses <see cref="BenchmarkConfig"/> (short job, memory diagnoser, percentile columns).
/// </summary>
/// <remarks>
/// <c>-- --loop CASE [SECONDS]</c> instead runs one hot-path case in a loop, timing every call,
/// and prints per-call percentiles (BenchmarkDotNet's are over iterations of many calls). Attach a
/// profiler to it, e.g. <c>DOTNET_PerfMapEnabled=1</c> and <c>perf record -g -p PID</c>.
/// </remarks>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--loop")
        {
            return Loop(args.Length > 1 ? args[1] : "transfer", args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 10);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    private static int Loop(string name, int seconds)
    {
        var cases = new Dictionary<string, Func<byte[]>>
        {
            ["modify_var"] = () => McpBodies.ToolsCall("modify_var", McpBodies.ModifyVarArguments),
            ["transfer"] = () => McpBodies.ToolsCall("transfer_server_files", McpBodies.TransferServerFilesArguments),
            ["list"] = () => McpBodies.ToolsCall("list_server_files", McpBodies.ListServerFilesArguments),
            ["batch10"] = McpBodies.Batch10,
            ["large_write"] = McpBodies.LargeWriteFile,
            ["large_unmapped"] = McpBodies.LargeUnmappedTool,
            ["large_shell"] = McpBodies.LargeShellCommand,
            ["shell"] = McpBodies.TypicalShellCall,
        };
        if (!cases.TryGetValue(name, out var create))
        {
            Console.Error.WriteLine($"unknown case '{name}'; use one of: {string.Join(", ", cases.Keys)}");
            return 2;
        }

        PolicySet policy = PolicyFixture.Load();
        var body = create();
        Console.WriteLine($"pid {Environment.ProcessId}: {name} ({body.Length} bytes) for {seconds} s");

        // Warm up (tiered JIT reaches tier 1 with PGO after ~30 calls and a background delay).
        var warmEnd = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 2;
        while (Stopwatch.GetTimestamp() < warmEnd)
        {
            HotPathBenchmarks.DecideBody(policy, body);
        }

        var samples = new List<long>(1 << 20);
        var gcBefore = GC.CollectionCount(0);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var end = Stopwatch.GetTimestamp() + Stopwatch.Frequency * seconds;
        long now;
        while ((now = Stopwatch.GetTimestamp()) < end)
        {
            HotPathBenchmarks.DecideBody(policy, body);
            samples.Add(Stopwatch.GetTimestamp() - now);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        samples.Sort();
        double Us(double quantile) => samples[Math.Min(samples.Count - 1, (int)(quantile * samples.Count))] * 1e6 / Stopwatch.Frequency;
        Console.WriteLine(
            $"{samples.Count} calls: mean {samples.Average() * 1e6 / Stopwatch.Frequency:F2} us, p50 {Us(0.50):F2} us, p95 {Us(0.95):F2} us, " +
            $"p99 {Us(0.99):F2} us, max {Us(1.0):F2} us, {allocated / samples.Count} B/call, {GC.CollectionCount(0) - gcBefore} gen0 GCs");
        return 0;
    }
}
