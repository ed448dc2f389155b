using System.Text;
using System.Text.Json;
using AgentGuard.Audit;
using AgentGuard.Infrastructure;
using AgentGuard.Policy;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentGuard.Admin;

/// <summary>
/// The review page's index of the audit log, over logs written by the real <see cref="AuditLog"/>
/// (decided by the shipped policy): pages by sequence number across segments, refreshes read only
/// what was appended, a torn last line waits, a replaced log is re-read.
/// </summary>
public sealed class ReviewLogTests : IDisposable
{
    private static readonly PolicySet Policy = PolicyLoader.Load([TestGuard.ShippedPolicies]).Policy!;

    private readonly string _directory = Directory.CreateTempSubdirectory("agentguard-review-log-").FullName;

    [Fact]
    public async Task Page_AcrossRotatedSegments_OlderCursorVisitsEveryMatchOnceNewestFirst()
    {
        await WriteAsync(600, segmentBytes: 64 * 1024);
        Assert.True(AuditChain.Segments(_directory).Length >= 3, "the log should have rotated into several segments");
        var log = new ReviewLog(_directory);
        log.Refresh();
        var filter = new ReviewFilter { Finding = "shutdown-tampering" };

        var seen = new List<long>();
        long? before = null;
        while (true)
        {
            var page = log.Page(filter, before, null, 25);
            if (page.Count == 0)
            {
                break;
            }

            seen.AddRange(page.Select(r => r.Sequence));
            before = page[^1].Sequence;
        }

        Assert.Equal(300, seen.Count);
        Assert.Equal(seen.OrderByDescending(s => s), seen);
        Assert.All(seen, s => Assert.Equal("shutdown-tampering", log.Find("seq-" + s)!.Finding));

        // Each indexed row points at its own line in its own segment.
        var row = log.Find("seq-" + seen[^1])!;
        using var line = JsonDocument.Parse(log.ReadLine(row));
        Assert.Equal(row.Sequence, line.RootElement.GetProperty("seq").GetInt64());
        Assert.Equal(row.Reference, line.RootElement.GetProperty("ref").GetString());
    }

    [Fact]
    public async Task Page_AfterCursor_ReturnsTheNewerPageNewestFirst()
    {
        await WriteAsync(100);
        var log = new ReviewLog(_directory);
        log.Refresh();
        var all = new ReviewFilter();

        var newest = log.Page(all, null, null, 10);
        var older = log.Page(all, newest[^1].Sequence, null, 10);
        var back = log.Page(all, null, older[0].Sequence, 10);

        Assert.Equal(newest.Select(r => r.Sequence), back.Select(r => r.Sequence));
        Assert.Equal(newest[^1].Sequence - 1, older[0].Sequence);
    }

    [Fact]
    public async Task Refresh_ReadsOnlyWhatWasAppended_TornLastLineWaitsForItsNewline()
    {
        await WriteAsync(10);
        var log = new ReviewLog(_directory);
        log.Refresh();
        Assert.Equal(10, log.Count);

        await WriteAsync(5);
        log.Refresh();
        Assert.Equal(15, log.Count);

        // A line being written: not indexed until it is whole.
        var segment = AuditChain.Segments(_directory)[^1];
        var last = File.ReadLines(segment).Last();
        var next = last.Replace("\"seq\":15,", "\"seq\":16,", StringComparison.Ordinal);
        await File.AppendAllTextAsync(segment, next[..40]);
        log.Refresh();
        Assert.Equal(15, log.Count);

        await File.AppendAllTextAsync(segment, next[40..] + "\n");
        log.Refresh();
        Assert.Equal(16, log.Count);
        Assert.NotNull(log.Find("seq-16"));
    }

    [Fact]
    public async Task Refresh_LogReplacedByAShorterOne_IndexIsRebuilt()
    {
        await WriteAsync(20);
        var log = new ReviewLog(_directory);
        log.Refresh();
        var segment = AuditChain.Segments(_directory)[0];
        var lines = await File.ReadAllLinesAsync(segment);
        await File.WriteAllLinesAsync(segment, lines[..5], new UTF8Encoding(false));

        log.Refresh();

        Assert.Equal(5, log.Count);
        Assert.Null(log.Find("seq-6"));
    }

    [Fact]
    public async Task Find_ByReference_PrefersTheDecisionOverItsUpstreamRecord()
    {
        await WriteAsync(4);
        var log = new ReviewLog(_directory);
        log.Refresh();
        var decision = log.Page(new ReviewFilter(), null, null, 1)[0];
        await using (var audit = AuditLog.Open(new AuditOptions { Directory = _directory, Durability = AuditDurability.Flush }, NullLogger.Instance, TimeProvider.System))
        {
            audit.AppendUpstream(decision.Reference!, 200, TimeSpan.FromMilliseconds(3));
        }

        log.Refresh();
        var found = log.Find(decision.Reference!);
        var (related, _, next) = log.Around(found!);

        Assert.Equal("decision", found!.Type);
        Assert.Equal("upstream", Assert.Single(related).Type);
        Assert.Equal("upstream", next!.Type);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Appends <paramref name="count"/> decisions: every other one a shutdown-tampering denial, the rest allowed listings.</summary>
    private async Task WriteAsync(int count, long segmentBytes = 64L * 1024 * 1024)
    {
        await using var audit = AuditLog.Open(new AuditOptions { Directory = _directory, Durability = AuditDurability.Flush, MaxSegmentBytes = segmentBytes }, NullLogger.Instance, TimeProvider.System);
        for (var i = 0; i < count; i++)
        {
            var (tool, arguments) = i % 2 == 0
                ? ("modify_var", """{"key":"shutdown_enabled","value":"false"}""")
                : ("list_server_files", """{"ip":"10.0.12.45"}""");
            using var document = JsonDocument.Parse(arguments);
            var call = new ToolCall(new Agent("gemini-agent-1", "evaluator"), "session-" + (i / 10), "mcp", "tools/call", tool, document.RootElement.Clone());
            var reference = Guid.NewGuid().ToString("N")[..16];
            await audit.AppendAsync([new DecisionRecord(TimeProvider.System.GetUtcNow(), call, PolicyEngine.Decide(Policy, call), reference, Policy.Version)], CancellationToken.None);
        }
    }
}
