using AgentGuard.Policy;

namespace AgentGuard.Audit;

public sealed class AuditEntryTests
{
    [Fact]
    public void Parse_DecisionLine_ReadsFieldsAndKeepsLine()
    {
        const string Line = """{"seq":7,"time":"2026-11-23T10:00:00.0000000Z","type":"decision","ref":"r","agent":"a","role":"evaluator","session":null,"protocol":"mcp","method":"tools/call","tool":"modify_var","uri":null,"arguments":{},"effects":[],"decision":"deny","rule":"x","finding":"shutdown-tampering","severity":"critical","message":null,"policy":"v1","prev":"00"}""";

        var entry = AuditEntry.Parse(Line)!;

        Assert.Equal(7, entry.Sequence);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), entry.Time);
        Assert.Equal(("decision", "r", "a", "evaluator", "tools/call", "modify_var"), (entry.Type, entry.Reference, entry.Agent, entry.Role, entry.Method, entry.Tool));
        Assert.Equal(("deny", "x", "shutdown-tampering", "critical"), (entry.Decision, entry.Rule, entry.Finding, entry.Severity));
        Assert.Equal(Severity.Critical, entry.SeverityValue);
        Assert.Null(entry.Status);
        Assert.Same(Line, entry.Json);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"seq":1,"time":"2026-""")]
    [InlineData("""{"time":"2026-11-23T10:00:00Z","type":"decision"}""")]
    [InlineData("""{"seq":"1","time":"2026-11-23T10:00:00Z","type":"decision"}""")]
    [InlineData("""{"seq":1,"time":"yesterday","type":"decision"}""")]
    [InlineData("""{"seq":1,"time":"2026-11-23T10:00:00Z"}""")]
    [InlineData("[1,2]")]
    public void Parse_NotARecord_ReturnsNull(string line)
        => Assert.Null(AuditEntry.Parse(line));

    [Fact]
    public void SeverityValue_NoOrUnknownSeverity_Null()
    {
        Assert.Null(AuditEntry.Parse("""{"seq":1,"time":"2026-11-23T10:00:00Z","type":"upstream","status":200,"latency_ms":1.5}""")!.SeverityValue);
        Assert.Null(AuditEntry.Parse("""{"seq":1,"time":"2026-11-23T10:00:00Z","type":"decision","severity":"extreme"}""")!.SeverityValue);
    }
}
