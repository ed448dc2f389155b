using AgentGuard.Infrastructure;
using AgentGuard.Oversight;
using AgentGuard.Policy;
using AgentGuard.Sessions;
using static AgentGuard.Audit.AuditTestLog;

namespace AgentGuard.Audit;

/// <summary>Oversight findings in the log: every field a reviewer needs, found by finding, chained like decisions.</summary>
public sealed class AuditOversightRecordTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Directory => Path.Combine(_folder.Path, "audit");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task AppendAsync_ScoreDivergence_ReadBackWithEveryFieldFoundByFindingAndChainVerifies()
    {
        var finding = new OversightFinding(
            Start,
            new SessionKey("gemini-agent-1", "sess-9"),
            new Finding("score-divergence", Severity.High),
            "submitted 80 passes; re-scored 60 fails (threshold 80)",
            Evaluation: "factual",
            Evaluator: "gemini-agent-1",
            Subject: "Gemini Agent 2",
            Submitted: "80",
            Rescored: "60",
            DifferingItems: ["1", "3", "5", "15"],
            ItemsScored: 20,
            ItemsInEvidence: 20,
            Observed: false,
            PeerContext: true,
            References: ["00000000000000ab"]);

        await using (var log = Open(Directory))
        {
            await log.AppendAsync([Decision(tool: "create_file")], CancellationToken.None);
            await log.AppendAsync(finding, "00000000000000ff", CancellationToken.None);
        }

        var found = AuditReader.Query(Directory, new AuditQuery { Finding = "score-divergence" });
        var entry = Assert.Single(found);
        Assert.Equal("oversight", entry.Type);
        Assert.Equal("high", entry.Severity);
        Assert.Equal("gemini-agent-1", entry.Agent);
        using var document = System.Text.Json.JsonDocument.Parse(entry.Json);
        var json = document.RootElement;
        Assert.Equal("sess-9", json.GetProperty("session").GetString());
        Assert.Equal("factual", json.GetProperty("evaluation").GetString());
        Assert.Equal("Gemini Agent 2", json.GetProperty("subject").GetString());
        Assert.Equal("80", json.GetProperty("submitted").GetString());
        Assert.Equal("60", json.GetProperty("rescored").GetString());
        Assert.Equal(["1", "3", "5", "15"], json.GetProperty("differing_items").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(20, json.GetProperty("items_scored").GetInt32());
        Assert.Equal(20, json.GetProperty("items_in_evidence").GetInt32());
        Assert.False(json.GetProperty("observed").GetBoolean());
        Assert.True(json.GetProperty("peer_context").GetBoolean());
        Assert.Equal("00000000000000ab", json.GetProperty("refs")[0].GetString());

        // Without a type, reviewers see decisions and oversight findings; upstream records stay apart.
        Assert.Equal(["decision", "oversight"], AuditReader.Query(Directory, new AuditQuery()).Select(e => e.Type));
        Assert.True(AuditVerifier.Verify(Directory, publicKey: null).IsValid);
    }
}
