using AgentGuard.Holds;
using Microsoft.Extensions.Logging.Abstractions;
using static AgentGuard.Cli.PolicyCommandTests;

namespace AgentGuard.Audit;

/// <summary>
/// <c>agentguard audit verify</c> and <c>query</c> over the chains of several replicas (a real process
/// on real logs): one line per chain and a failure if any chain fails; records merged in time order.
/// </summary>
public sealed class AuditChainsCommandTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-audit-chains-").FullName;

    private string ReplicaA => Path.Combine(_folder, "replica-a");

    private string ReplicaB => Path.Combine(_folder, "replica-b");

    public async Task InitializeAsync()
    {
        // Replica A holds two calls; replica B takes the votes and, later, records one abandoned: interleaved in time.
        await WriteAsync(ReplicaA, ("held", "ref-1", 1), ("held", "ref-2", 3));
        await WriteAsync(ReplicaB, ("vote", "ref-1", 2), ("abandoned", "ref-2", 4));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Verify_SeveralIntactChains_PrintsOneLineEachAndExitsZero()
    {
        var (code, stdout, stderr) = await RunAsync("audit", "verify", ReplicaA, ReplicaB);

        Assert.True(code == 0, stdout + stderr);
        var lines = stdout.Trim().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith($"{ReplicaA}: ok: ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{ReplicaB}: ok: ", lines[1], StringComparison.Ordinal);
        Assert.Equal("all 2 chains intact", lines[2]);
    }

    [Fact]
    public async Task Verify_OneChainEdited_NamesItAndExitsOne()
    {
        var segment = Assert.Single(AuditChain.Segments(ReplicaB));
        var text = await File.ReadAllTextAsync(segment);
        await File.WriteAllTextAsync(segment, text.Replace("\"event\":\"vote\"", "\"event\":\"held\"", StringComparison.Ordinal));

        var (code, stdout, _) = await RunAsync("audit", "verify", ReplicaA, ReplicaB);

        Assert.Equal(1, code);
        Assert.Contains($"{ReplicaA}: ok: ", stdout, StringComparison.Ordinal);
        Assert.Contains($"{ReplicaB}: FAIL ", stdout, StringComparison.Ordinal);
        Assert.Contains("1 of 2 chains FAILED", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_OneChainMissing_FailsThatChain()
    {
        var (code, stdout, _) = await RunAsync("audit", "verify", ReplicaA, Path.Combine(_folder, "replica-c"));

        Assert.Equal(1, code);
        Assert.Contains($"{ReplicaA}: ok: ", stdout, StringComparison.Ordinal);
        Assert.Contains("replica-c: FAIL ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_SeveralChains_MergesTheirRecordsInTimeOrder()
    {
        var (code, stdout, stderr) = await RunAsync("audit", "query", ReplicaA, ReplicaB, "--type", "hold", "--json");

        Assert.True(code == 0, stdout + stderr);
        var entries = stdout.Trim().Split('\n').Select(line => AuditEntry.Parse(line)!).ToList();
        Assert.Equal([Start.AddMinutes(1), Start.AddMinutes(2), Start.AddMinutes(3), Start.AddMinutes(4)], entries.Select(e => e.Time));
        Assert.Equal(["ref-1", "ref-1", "ref-2", "ref-2"], entries.Select(e => e.Reference));
        Assert.Contains("\"event\":\"abandoned\"", entries[3].Json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_SeveralChainsWithALimit_TakesTheEarliest()
    {
        var (code, stdout, _) = await RunAsync("audit", "query", ReplicaB, ReplicaA, "--type", "hold", "--json", "--limit", "2");

        Assert.Equal(0, code);
        Assert.Equal([Start.AddMinutes(1), Start.AddMinutes(2)], stdout.Trim().Split('\n').Select(line => AuditEntry.Parse(line)!.Time));
    }

    [Fact]
    public async Task Query_SeveralChainsAsATable_NamesEachRecordsChain()
    {
        var (code, stdout, _) = await RunAsync("audit", "query", ReplicaA, ReplicaB, "--type", "hold");

        Assert.Equal(0, code);
        var rows = stdout.Trim().Split('\n').Skip(1).SkipLast(1).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]);
        Assert.Equal(["replica-a#1", "replica-b#1", "replica-a#2", "replica-b#2"], rows);
        Assert.EndsWith("4 record(s)", stdout.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_AFolderThatDoesNotExist_IsAClearError()
    {
        var missing = Path.Combine(_folder, "replica-c");

        var (code, _, stderr) = await RunAsync("audit", "query", ReplicaA, missing);

        Assert.Equal(2, code);
        Assert.Contains($"{missing}: no such audit folder", stderr, StringComparison.Ordinal);
    }

    private static async Task WriteAsync(string directory, params (string Event, string Reference, int Minute)[] records)
    {
        await using var log = AuditLog.Open(new AuditOptions { Directory = directory }, NullLogger<AuditLog>.Instance, TimeProvider.System);
        foreach (var (name, reference, minute) in records)
        {
            var time = Start.AddMinutes(minute);
            var call = new HeldCall(reference, new string('a', 64), "gemini-agent-1", "evaluator", "run-1", "delete_server_file", "{}", "weights-delete-held", null, null, 1, time, time.AddMinutes(5), "replica-a");
            await log.AppendAsync(new HoldRecord(name, call, name == "held" ? [] : ["alice"], null, time), CancellationToken.None);
        }
    }
}
