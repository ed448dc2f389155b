using AgentGuard.Infrastructure;
using AgentGuard.Policy;
using static AgentGuard.Audit.AuditTestLog;

namespace AgentGuard.Audit;

/// <summary>Reading a real log back: every filter of <see cref="AuditQuery"/>, record types and paging.</summary>
public sealed class AuditReaderTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();

    private string Directory => Path.Combine(_folder.Path, "audit");

    /// <summary>Six decisions a minute apart (r1..r6), an upstream record for r1, and the final checkpoint.</summary>
    public async Task InitializeAsync()
    {
        var (keyFile, _) = WriteKeyPair(_folder);
        await using var log = Open(Directory, o => o.SigningKeyFile = keyFile);
        await log.AppendAsync([Decision(Start, agent: "a1", tool: "list_files", reference: "r1")], CancellationToken.None);
        log.AppendUpstream("r1", 200, TimeSpan.FromMilliseconds(4));
        await log.AppendAsync(
            [
                Decision(Start.AddMinutes(1), agent: "a1", tool: "modify_var", kind: DecisionKind.Deny, finding: new Finding("shutdown-tampering", Severity.Critical), reference: "r2"),
                Decision(Start.AddMinutes(2), agent: "a2", tool: "copy_server_file", kind: DecisionKind.Deny, finding: new Finding("weight-exfiltration", Severity.High), reference: "r3"),
                Decision(Start.AddMinutes(3), agent: "a2", tool: "read_file", kind: DecisionKind.Flag, finding: new Finding("score-divergence", Severity.Medium), reference: "r4"),
                Decision(Start.AddMinutes(4), agent: "A1", tool: "LIST_FILES", kind: DecisionKind.Flag, finding: new Finding("score-divergence", Severity.Low), reference: "r5"),
                Decision(Start.AddMinutes(5), agent: "a3", tool: "modify_var", kind: DecisionKind.Allow, finding: new Finding("config-read", Severity.Info), reference: "r6"),
            ],
            CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _folder.Dispose();

    private string Refs(AuditQuery query, int skip = 0, int take = int.MaxValue)
        => string.Join(",", AuditReader.Query(Directory, query, skip, take).Select(e => e.Reference ?? e.Type));

    [Fact]
    public void Query_NoFilter_DecisionRecordsInChainOrder()
    {
        var entries = AuditReader.Query(Directory, new AuditQuery());

        Assert.Equal(["r1", "r2", "r3", "r4", "r5", "r6"], entries.Select(e => e.Reference));
        Assert.Equal([1L, 3, 4, 5, 6, 7], entries.Select(e => e.Sequence));
    }

    [Fact]
    public void Query_SinceAndUntil_SinceInclusiveUntilExclusive()
    {
        Assert.Equal("r2,r3,r4", Refs(new AuditQuery { Since = Start.AddMinutes(1), Until = Start.AddMinutes(4) }));
        Assert.Equal("r5,r6", Refs(new AuditQuery { Since = Start.AddMinutes(3.5) }));
        Assert.Equal("r1", Refs(new AuditQuery { Until = Start.AddSeconds(59) }));
        Assert.Equal("r3", Refs(new AuditQuery { Since = Start.AddMinutes(2).ToOffset(TimeSpan.FromHours(2)), Until = Start.AddMinutes(3).ToOffset(TimeSpan.FromHours(-5)) }));
    }

    [Theory]
    [InlineData("agent", "a1", "r1,r2,r5")]
    [InlineData("agent", "A2", "r3,r4")]
    [InlineData("agent", "nobody", "")]
    [InlineData("decision", "deny", "r2,r3")]
    [InlineData("decision", "FLAG", "r4,r5")]
    [InlineData("decision", "allow", "r1,r6")]
    [InlineData("finding", "score-divergence", "r4,r5")]
    [InlineData("finding", "shutdown-tampering", "r2")]
    [InlineData("tool", "list_files", "r1,r5")]
    [InlineData("tool", "modify_var", "r2,r6")]
    public void Query_Filter_MatchesIgnoringCase(string filter, string value, string expected)
    {
        var query = filter switch
        {
            "agent" => new AuditQuery { Agent = value },
            "decision" => new AuditQuery { Decision = value },
            "finding" => new AuditQuery { Finding = value },
            _ => new AuditQuery { Tool = value },
        };

        Assert.Equal(expected, Refs(query));
    }

    [Theory]
    [InlineData(Severity.Critical, "r2")]
    [InlineData(Severity.High, "r2,r3")]
    [InlineData(Severity.Medium, "r2,r3,r4")]
    [InlineData(Severity.Low, "r2,r3,r4,r5")]
    [InlineData(Severity.Info, "r2,r3,r4,r5,r6")]
    public void Query_Severity_ThatSeverityOrWorse(Severity severity, string expected)
        => Assert.Equal(expected, Refs(new AuditQuery { Severity = severity }));

    [Fact]
    public void Query_SeveralFilters_AllMustMatch()
        => Assert.Equal("r3", Refs(new AuditQuery { Agent = "a2", Decision = "deny", Severity = Severity.High, Since = Start }));

    [Theory]
    [InlineData("upstream", "r1")]
    [InlineData("checkpoint", "checkpoint")]
    [InlineData("decision", "r1,r2,r3,r4,r5,r6")]
    [InlineData("all", "r1,r1,r2,r3,r4,r5,r6,checkpoint")]
    public void Query_Type_SelectsRecordType(string type, string expected)
        => Assert.Equal(expected, Refs(new AuditQuery { Type = type }));

    [Fact]
    public void Query_UpstreamRecord_HasStatusAndLatency()
    {
        var upstream = Assert.Single(AuditReader.Query(Directory, new AuditQuery { Type = "upstream" }));

        Assert.Equal(2, upstream.Sequence);
        Assert.Equal(200, upstream.Status);
        Assert.Equal(4, upstream.LatencyMilliseconds);
        Assert.Null(upstream.Decision);
    }

    [Fact]
    public void Query_SkipAndTake_PagesThroughMatchesOnce()
    {
        Assert.Equal("r1,r2", Refs(new AuditQuery(), skip: 0, take: 2));
        Assert.Equal("r3,r4", Refs(new AuditQuery(), skip: 2, take: 2));
        Assert.Equal("r5,r6", Refs(new AuditQuery(), skip: 4, take: 2));
        Assert.Equal("", Refs(new AuditQuery(), skip: 6, take: 2));
    }

    [Fact]
    public void Query_SkipAndTakeWithFilter_PagesOverMatchesOnly()
    {
        Assert.Equal("r3", Refs(new AuditQuery { Decision = "deny" }, skip: 1, take: 5));
        Assert.Equal("r4", Refs(new AuditQuery { Severity = Severity.Low }, skip: 2, take: 1));
    }

    [Fact]
    public void Query_TakeZero_ReturnsNothing()
        => Assert.Equal("", Refs(new AuditQuery(), take: 0));

    [Fact]
    public void ReadAll_TornLastLineAndGarbage_SkipsThem()
    {
        var segment = AuditChain.Segments(Directory)[^1];
        File.AppendAllText(segment, "not json\n{\"seq\":9,\"time\":\"2026-");

        var entries = AuditReader.ReadAll(Directory).ToList();

        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), entries.Select(e => e.Sequence));
    }

    [Fact]
    public void ReadAll_NoFolder_Empty()
        => Assert.Empty(AuditReader.ReadAll(Path.Combine(_folder.Path, "missing")));
}
