using AgentGuard.Audit;
using AgentGuard.Protocols;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using AgentGuard.Policy;

namespace AgentGuard.Benchmarks;

/// <summary>
/// The audit writer alone: records per second appended by concurrent deciders, each waiting until
/// its record is durable, as the proxy does. One operation is one record; records/s = 1 / mean.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class AuditWriterBenchmarks
{
    private const int Records = 4096;

    private string _directory = null!;
    private AuditLog _log = null!;
    private DecisionRecord[] _record = null!;

    [Params(AuditDurability.Fsync, AuditDurability.Flush)]
    public AuditDurability Durability { get; set; }

    /// <summary>Concurrent appenders: 1 shows the cost of one flush per record; 64 shows group commit.</summary>
    [Params(1, 64)]
    public int Writers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("agentguard-audit-bench-").FullName;
        _log = AuditLog.Open(new AuditOptions { Directory = _directory, Durability = Durability }, NullLogger.Instance, TimeProvider.System);

        // A typical record: the decided transfer_server_files call from the study, with its effects.
        var policy = PolicyFixture.Load();
        using var exchange = McpDecoder.Decode(McpBodies.ToolsCall("transfer_server_files", McpBodies.TransferServerFilesArguments));
        var message = exchange.Messages[0];
        var call = new ToolCall(PolicyFixture.Agent, "session-1", "mcp", message.Method, message.Name, message.Arguments.Clone());
        _record = [new DecisionRecord(DateTimeOffset.UnixEpoch, call, PolicyEngine.Decide(policy, call), "0123456789abcdef", policy.Version)];
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public Task Append()
    {
        var tasks = new Task[Writers];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = AppendManyAsync(Records / Writers);
        }

        return Task.WhenAll(tasks);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task AppendManyAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await _log.AppendAsync(_record, CancellationToken.None);
        }
    }
}
