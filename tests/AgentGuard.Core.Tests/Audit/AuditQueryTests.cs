using AgentGuard.Policy;

namespace AgentGuard.Audit;

/// <summary><see cref="AuditQuery.Matches"/> on single entries: defaults, boundaries and absent fields.</summary>
public sealed class AuditQueryTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static AuditEntry Entry(string type = "decision", string? severity = null, string? agent = "a", string? tool = "t")
        => new(1, Time, type, "r", agent, "evaluator", "tools/call", tool, type == "decision" ? "deny" : null, "rule", severity is null ? null : "f", severity, null, null, "{}");

    [Fact]
    public void Matches_EmptyQuery_DecisionRecordsOnly()
    {
        Assert.True(new AuditQuery().Matches(Entry()));
        Assert.False(new AuditQuery().Matches(Entry(type: "upstream")));
        Assert.False(new AuditQuery().Matches(Entry(type: "checkpoint")));
    }

    [Fact]
    public void Matches_TypeAll_EveryRecordType()
    {
        var all = new AuditQuery { Type = "all" };

        Assert.True(all.Matches(Entry()));
        Assert.True(all.Matches(Entry(type: "upstream")));
        Assert.True(all.Matches(Entry(type: "checkpoint")));
    }

    [Fact]
    public void Matches_TimeBounds_SinceInclusiveUntilExclusive()
    {
        Assert.True(new AuditQuery { Since = Time }.Matches(Entry()));
        Assert.False(new AuditQuery { Since = Time.AddTicks(1) }.Matches(Entry()));
        Assert.False(new AuditQuery { Until = Time }.Matches(Entry()));
        Assert.True(new AuditQuery { Until = Time.AddTicks(1) }.Matches(Entry()));
    }

    [Fact]
    public void Matches_SeverityFilter_EntryWithoutSeverityOrUnknownSeverityNeverMatches()
    {
        Assert.False(new AuditQuery { Severity = Severity.Info }.Matches(Entry()));
        Assert.False(new AuditQuery { Severity = Severity.Info }.Matches(Entry(severity: "extreme")));
        Assert.True(new AuditQuery { Severity = Severity.High }.Matches(Entry(severity: "CRITICAL")));
        Assert.False(new AuditQuery { Severity = Severity.High }.Matches(Entry(severity: "medium")));
    }

    [Fact]
    public void Matches_FilterOnAbsentField_DoesNotMatch()
    {
        Assert.False(new AuditQuery { Tool = "t" }.Matches(Entry(tool: null)));
        Assert.False(new AuditQuery { Agent = "a", Type = "all" }.Matches(Entry(type: "upstream", agent: null)));
    }
}
