using System.Text.Json;
using AgentGuard.Effects;
using AgentGuard.Infrastructure;
using AgentGuard.Policy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using static AgentGuard.Audit.AuditTestLog;

namespace AgentGuard.Audit;

/// <summary>The writer: records, the chain across segments and restarts, crash recovery, group commit, failure and checkpoints, all on real files.</summary>
public sealed class AuditLogTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Directory => Path.Combine(_folder.Path, "audit");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task AppendAsync_DecisionAndUpstream_ReadBackWithEveryFieldAndSecretsRedactedAtAnyDepth()
    {
        var time = new FakeTimeProvider(Start.AddMinutes(5));
        var record = Decision(
            time: Start.AddSeconds(1.5),
            agent: "gemini-agent-1",
            role: "evaluator",
            session: "sess-7",
            tool: "modify_var",
            arguments: """{"key":"shutdown_enabled","value":"false","auth":{"Token":"t-1","nested":[{"PASSWORD":"p-1","keep":1}]},"api_key":{"id":"k-1"},"note":null}""",
            kind: DecisionKind.Deny,
            rule: "no-shutdown-tampering",
            finding: new Finding("shutdown-tampering", Severity.Critical),
            message: "shutdown control changed",
            effects:
            [
                new Effect(EffectKind.Write, "config://shutdown_config.yaml#shutdown_enabled", Value: "false"),
                new Effect(EffectKind.Copy, "host://10.0.12.45/data/w.safetensors", "host://10.0.12.46/data/w.safetensors"),
            ],
            reference: "00000000000000aa",
            policy: "sha256:1234");

        await using (var log = Open(Directory, timeProvider: time))
        {
            await log.AppendAsync([record], CancellationToken.None);
            log.AppendUpstream("00000000000000aa", 200, TimeSpan.FromMilliseconds(12.34567));
        }

        var lines = Lines(Directory);
        Assert.Equal(["decision", "upstream"], lines.Select(l => l.Type));
        var decision = lines[0].Json;
        Assert.Equal(
            ["seq", "time", "type", "ref", "agent", "role", "session", "protocol", "method", "tool", "uri", "arguments", "effects", "decision", "rule", "finding", "severity", "message", "policy", "prev"],
            decision.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, decision.GetProperty("seq").GetInt64());
        Assert.Equal("2026-11-23T10:00:01.5000000Z", decision.GetProperty("time").GetString());
        Assert.Equal("00000000000000aa", decision.GetProperty("ref").GetString());
        Assert.Equal("gemini-agent-1", decision.GetProperty("agent").GetString());
        Assert.Equal("evaluator", decision.GetProperty("role").GetString());
        Assert.Equal("sess-7", decision.GetProperty("session").GetString());
        Assert.Equal("mcp", decision.GetProperty("protocol").GetString());
        Assert.Equal("tools/call", decision.GetProperty("method").GetString());
        Assert.Equal("modify_var", decision.GetProperty("tool").GetString());
        Assert.Equal(
            """{"key":"shutdown_enabled","value":"false","auth":{"Token":"[redacted]","nested":[{"PASSWORD":"[redacted]","keep":1}]},"api_key":"[redacted]","note":null}""",
            decision.GetProperty("arguments").GetRawText());
        Assert.Equal(
            """[{"kind":"write","resource":"config://shutdown_config.yaml#shutdown_enabled","destination":null,"value":"false"},{"kind":"copy","resource":"host://10.0.12.45/data/w.safetensors","destination":"host://10.0.12.46/data/w.safetensors"}]""",
            decision.GetProperty("effects").GetRawText());
        Assert.Equal("deny", decision.GetProperty("decision").GetString());
        Assert.Equal("no-shutdown-tampering", decision.GetProperty("rule").GetString());
        Assert.Equal("shutdown-tampering", decision.GetProperty("finding").GetString());
        Assert.Equal("critical", decision.GetProperty("severity").GetString());
        Assert.Equal("shutdown control changed", decision.GetProperty("message").GetString());
        Assert.Equal("sha256:1234", decision.GetProperty("policy").GetString());
        Assert.Equal(AuditChain.Genesis, decision.GetProperty("prev").GetString());

        var upstream = lines[1].Json;
        Assert.Equal(["seq", "time", "type", "ref", "status", "latency_ms", "prev"], upstream.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, upstream.GetProperty("seq").GetInt64());
        Assert.Equal("2026-11-23T10:05:00.0000000Z", upstream.GetProperty("time").GetString());
        Assert.Equal("00000000000000aa", upstream.GetProperty("ref").GetString());
        Assert.Equal(200, upstream.GetProperty("status").GetInt32());
        Assert.Equal(12.346, upstream.GetProperty("latency_ms").GetDouble());
        Assert.Equal(AuditChain.Hash(System.Text.Encoding.UTF8.GetBytes(lines[0].Text)), upstream.GetProperty("prev").GetString());

        var entries = AuditReader.ReadAll(Directory).ToList();
        Assert.Equal(
            new AuditEntry(1, Start.AddSeconds(1.5), "decision", "00000000000000aa", "gemini-agent-1", "evaluator", "tools/call", "modify_var", "deny", "no-shutdown-tampering", "shutdown-tampering", "critical", null, null, lines[0].Text),
            entries[0]);
        Assert.Equal(
            new AuditEntry(2, Start.AddMinutes(5), "upstream", "00000000000000aa", null, null, null, null, null, null, null, null, 200, 12.346, lines[1].Text),
            entries[1]);
        Assert.True(AuditVerifier.Verify(Directory, null).IsValid);
    }

    [Fact]
    public async Task AppendAsync_PlainAllowWithoutSessionOrArguments_WritesNullsNotMissingFields()
    {
        await using (var log = Open(Directory))
        {
            var call = new ToolCall(new Agent("a", "operator"), null, "mcp", "ping", null, default);
            await log.AppendAsync([new DecisionRecord(Start, call, new Policy.Decision(DecisionKind.Allow, "default", null, null, []), "r", "v1")], CancellationToken.None);
        }

        var record = Assert.Single(Lines(Directory)).Json;
        Assert.Equal(JsonValueKind.Null, record.GetProperty("session").ValueKind);
        Assert.Equal(JsonValueKind.Null, record.GetProperty("tool").ValueKind);
        Assert.Equal(JsonValueKind.Null, record.GetProperty("arguments").ValueKind);
        Assert.Equal(JsonValueKind.Null, record.GetProperty("finding").ValueKind);
        Assert.Equal(JsonValueKind.Null, record.GetProperty("severity").ValueKind);
        Assert.Equal("allow", record.GetProperty("decision").GetString());
    }

    [Fact]
    public async Task AppendAsync_CustomRedactList_RedactsOnlyThoseNames()
    {
        await using (var log = Open(Directory, o => o.Redact = ["card_number"]))
        {
            await log.AppendAsync([Decision(arguments: """{"Card_Number":"4111","password":"kept"}""")], CancellationToken.None);
        }

        Assert.Equal("""{"Card_Number":"[redacted]","password":"kept"}""", Assert.Single(Lines(Directory)).Json.GetProperty("arguments").GetRawText());
    }

    [Fact]
    public async Task AppendAsync_PastMaxSegmentBytes_RotatesAndChainsAcrossSegments()
    {
        await using (var log = Open(Directory, o => o.MaxSegmentBytes = 64 * 1024))
        {
            // ~1.1 KiB records, 10 to a write: the size is checked before each write, so a segment ends after the write that crosses 64 KiB.
            await AppendManyAsync(log, 300, perBatch: 10, make: i => Padded(1000, Start.AddSeconds(i)));
        }

        var segments = AuditChain.Segments(Directory);
        Assert.True(segments.Length >= 4, $"expected at least 4 segments, got {segments.Length}");
        Assert.Equal(Enumerable.Range(1, segments.Length).Select(AuditChain.SegmentName), segments.Select(Path.GetFileName));
        foreach (var segment in segments[..^1])
        {
            var length = new FileInfo(segment).Length;
            Assert.InRange(length, 64 * 1024, (64 * 1024) + (10 * 1200));
        }

        var lines = Lines(Directory);
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), lines.Select(l => l.Sequence));
        for (var i = 1; i < lines.Count; i++)
        {
            Assert.Equal(AuditChain.Hash(System.Text.Encoding.UTF8.GetBytes(lines[i - 1].Text)), lines[i].Json.GetProperty("prev").GetString());
        }

        var verification = AuditVerifier.Verify(Directory, null);
        Assert.True(verification.IsValid, verification.Error);
        Assert.Equal(300, verification.Records);
    }

    [Fact]
    public async Task Open_ExistingLog_ContinuesChainAndSequence()
    {
        await using (var log = Open(Directory))
        {
            await AppendManyAsync(log, 3);
        }

        await using (var log = Open(Directory))
        {
            Assert.True(log.IsHealthy);
            await AppendManyAsync(log, 2);
            log.AppendUpstream("r", 200, TimeSpan.Zero);
        }

        var lines = Lines(Directory);
        Assert.Equal([1L, 2, 3, 4, 5, 6], lines.Select(l => l.Sequence));
        Assert.Single(AuditChain.Segments(Directory));
        var verification = AuditVerifier.Verify(Directory, null);
        Assert.True(verification.IsValid, verification.Error);
        Assert.Equal(6, verification.Records);
    }

    [Fact]
    public async Task Open_AfterRotation_ContinuesInLastSegment()
    {
        await using (var log = Open(Directory, o => o.MaxSegmentBytes = 64 * 1024))
        {
            await AppendManyAsync(log, 70, perBatch: 10, make: i => Padded(1000));
        }

        var segments = AuditChain.Segments(Directory).Length;
        Assert.Equal(2, segments);
        await using (var log = Open(Directory, o => o.MaxSegmentBytes = 64 * 1024))
        {
            await AppendManyAsync(log, 1);
        }

        Assert.Equal(segments, AuditChain.Segments(Directory).Length);
        var last = Lines(Directory)[^1];
        Assert.Equal(AuditChain.SegmentName(segments), last.Name);
        Assert.Equal(71, last.Sequence);
        Assert.True(AuditVerifier.Verify(Directory, null).IsValid);
    }

    [Fact]
    public async Task Open_TornLastLine_TruncatesItAndChainVerifies()
    {
        await using (var log = Open(Directory))
        {
            await AppendManyAsync(log, 3);
        }

        // A crash in the middle of a write: half of a fourth record, no newline.
        var segment = AuditChain.Segments(Directory)[0];
        var intact = new FileInfo(segment).Length;
        var half = Lines(Directory)[2].Text.Replace("\"seq\":3", "\"seq\":4", StringComparison.Ordinal);
        await File.AppendAllTextAsync(segment, half[..(half.Length / 2)]);
        Assert.False(AuditVerifier.Verify(Directory, null).IsValid);

        var logger = new FakeLogger();
        await using (var log = Open(Directory, logger: logger))
        {
            Assert.True(log.IsHealthy, log.LastError);
            Assert.Equal(intact, new FileInfo(segment).Length);
            await AppendManyAsync(log, 1);
        }

        Assert.Equal([1L, 2, 3, 4], Lines(Directory).Select(l => l.Sequence));
        var verification = AuditVerifier.Verify(Directory, null);
        Assert.True(verification.IsValid, verification.Error);
        var warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 3003);
        Assert.Equal(LogLevel.Warning, warning.Level);
    }

    [Fact]
    public async Task Open_LastSegmentOnlyTornLine_ContinuesFromPreviousSegment()
    {
        await using (var log = Open(Directory, o => o.MaxSegmentBytes = 64 * 1024))
        {
            await AppendManyAsync(log, 70, perBatch: 10, make: i => Padded(1000));
        }

        // The crash came right after rotation: the new segment holds nothing but a torn line.
        var segments = AuditChain.Segments(Directory);
        var next = Path.Combine(Directory, AuditChain.SegmentName(segments.Length + 1));
        await File.WriteAllTextAsync(next, "{\"seq\":71,\"time\":\"2026-");

        await using (var log = Open(Directory, o => o.MaxSegmentBytes = 64 * 1024))
        {
            await AppendManyAsync(log, 1);
        }

        var last = Lines(Directory)[^1];
        Assert.Equal(Path.GetFileName(next), last.Name);
        Assert.Equal(1, last.Number);
        Assert.Equal(71, last.Sequence);
        var verification = AuditVerifier.Verify(Directory, null);
        Assert.True(verification.IsValid, verification.Error);
    }

    [Theory]
    [InlineData(AuditDurability.Fsync)]
    [InlineData(AuditDurability.Flush)]
    public async Task AppendAsync_ManyConcurrentTasks_AllCompleteInFewerWritesThanRecords(AuditDurability durability)
    {
        const int Tasks = 400;
        var writes = new List<int>();
        var started = 0;
        using var allQueued = new ManualResetEventSlim();
        await using (var log = Open(Directory, o => o.Durability = durability))
        {
            log.Written += (records, _) =>
            {
                lock (writes)
                {
                    writes.Add(records);
                }

                // Hold the first write as a slow disk would, until every task has handed its record over:
                // what queued meanwhile must share the next write, not take one each.
                allQueued.Wait(WaitLimit);
            };

            var appends = Enumerable.Range(0, Tasks).Select(i => Task.Run(async () =>
            {
                var append = log.AppendAsync([Decision(Start.AddMilliseconds(i), reference: $"ref-{i}")], CancellationToken.None);
                if (Interlocked.Increment(ref started) == Tasks)
                {
                    allQueued.Set();
                }

                await append;
            })).ToArray();

            await Task.WhenAll(appends).WaitAsync(WaitLimit);
        }

        Assert.Equal(Tasks, writes.Sum());
        Assert.True(writes.Count < Tasks / 10, $"{writes.Count} writes for {Tasks} records: [{string.Join(", ", writes)}]");
        var verification = AuditVerifier.Verify(Directory, null);
        Assert.True(verification.IsValid, verification.Error);
        Assert.Equal(Tasks, verification.Records);
        Assert.Equal(Tasks, Lines(Directory).Select(l => l.Json.GetProperty("ref").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task AppendAsync_RecordsInOneCall_WrittenTogetherInOrder()
    {
        var writes = new List<int>();
        await using (var log = Open(Directory, o => o.Durability = AuditDurability.Fsync))
        {
            log.Written += (records, _) => writes.Add(records);
            await log.AppendAsync([Decision(reference: "a"), Decision(reference: "b"), Decision(reference: "c")], CancellationToken.None);
        }

        Assert.Equal([3], writes);
        Assert.Equal(["a", "b", "c"], Lines(Directory).Select(l => l.Json.GetProperty("ref").GetString()));
    }

    [Fact]
    public async Task Open_DirectoryUnderRegularFile_UnhealthyAppendThrows_RecoversWhenWritable()
    {
        // A path whose parent is a file cannot be created, even by root (tests may run as root,
        // where permission bits do not stop writes).
        var blocker = _folder.Write("blocker", "not a folder");
        var directory = Path.Combine(blocker, "audit");
        var failures = new List<Exception>();
        var logger = new FakeLogger();

        await using (var log = Open(directory, logger: logger))
        {
            log.WriteFailed += failures.Add;
            Assert.False(log.IsHealthy);
            Assert.NotNull(log.LastError);
            Assert.Equal(3001, Assert.Single(logger.Collector.GetSnapshot()).Id.Id);

            var error = await Assert.ThrowsAsync<AuditWriteException>(async () => await log.AppendAsync([Decision(reference: "lost")], CancellationToken.None));
            Assert.StartsWith("the audit log cannot be written: ", error.Message, StringComparison.Ordinal);
            Assert.False(log.IsHealthy);
            Assert.Single(failures);

            File.Delete(blocker);
            await log.AppendAsync([Decision(reference: "kept")], CancellationToken.None);

            Assert.True(log.IsHealthy);
            Assert.Null(log.LastError);
            Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 3002);
        }

        var record = Assert.Single(Lines(directory));
        Assert.Equal(1, record.Sequence);
        Assert.Equal("kept", record.Json.GetProperty("ref").GetString());
        Assert.True(AuditVerifier.Verify(directory, null).IsValid);
    }

    [Fact]
    public async Task AppendAsync_UnexpectedErrorInWriter_FailsThatBatchAndKeepsWriting()
    {
        // A bug anywhere in the write (here a subscriber) must fail the batch closed, not leave every later decision waiting forever;
        // the failed batch's records reached the file, but its calls are denied, so they are cut from it again.
        var thrown = 0;
        await using (var log = Open(Directory))
        {
            log.Written += (_, _) =>
            {
                if (Interlocked.Increment(ref thrown) == 1)
                {
                    throw new NotSupportedException("subscriber bug");
                }
            };

            await Assert.ThrowsAsync<AuditWriteException>(async () => await log.AppendAsync([Decision(reference: "first")], CancellationToken.None).AsTask().WaitAsync(WaitLimit));
            await log.AppendAsync([Decision(reference: "second")], CancellationToken.None).AsTask().WaitAsync(WaitLimit);
            Assert.True(log.IsHealthy);
        }

        var lines = Lines(Directory);
        Assert.Equal(["resume", "decision"], lines.Select(l => l.Type));
        Assert.Equal("second", lines[1].Json.GetProperty("ref").GetString());
        Assert.True(AuditVerifier.Verify(Directory, null).IsValid);
    }

    [Fact]
    public async Task AppendAsync_AfterDispose_ThrowsAuditWriteException()
    {
        var log = Open(Directory);
        await log.DisposeAsync();

        await Assert.ThrowsAsync<AuditWriteException>(async () => await log.AppendAsync([Decision()], CancellationToken.None));
    }

    [Fact]
    public async Task Checkpoint_IntervalElapsed_WritesSignedCheckpointThatVerifies()
    {
        var (keyFile, publicPem) = WriteKeyPair(_folder);
        var time = new FakeTimeProvider(Start);
        await using var log = Open(Directory, o => { o.SigningKeyFile = keyFile; o.CheckpointInterval = TimeSpan.FromMinutes(1); }, time);
        await AppendManyAsync(log, 3);

        // The checkpoint loop starts on its own thread; advance until its timer has seen a whole interval.
        await UntilAsync(() => Lines(Directory).Any(l => l.Type == "checkpoint"), "a checkpoint was written", () => time.Advance(TimeSpan.FromMinutes(1)));

        var lines = Lines(Directory);
        var checkpoint = lines[3];
        Assert.Equal("checkpoint", checkpoint.Type);
        Assert.Equal(4, checkpoint.Sequence);
        using var publicKey = AuditSigner.FromPem(publicPem);
        Assert.Equal(publicKey.KeyId, checkpoint.Json.GetProperty("key").GetString());
        Assert.Equal(AuditChain.Hash(System.Text.Encoding.UTF8.GetBytes(lines[2].Text)), checkpoint.Json.GetProperty("prev").GetString());

        var verification = AuditVerifier.Verify(Directory, publicKey);
        Assert.True(verification.IsValid, verification.Error);
        Assert.Equal(1, verification.Checkpoints);
        Assert.Equal(1, verification.CheckpointsVerified);
    }

    [Fact]
    public async Task Dispose_WithSigningKey_WritesFinalCheckpoint()
    {
        var (keyFile, publicPem) = WriteKeyPair(_folder);
        await using (var log = Open(Directory, o => o.SigningKeyFile = keyFile))
        {
            await AppendManyAsync(log, 5);
        }

        var lines = Lines(Directory);
        Assert.Equal("checkpoint", lines[^1].Type);
        Assert.Equal(6, lines[^1].Sequence);
        using var publicKey = AuditSigner.FromPem(publicPem);
        var verification = AuditVerifier.Verify(Directory, publicKey);
        Assert.True(verification.IsValid, verification.Error);
        Assert.Equal(1, verification.CheckpointsVerified);
    }

    [Fact]
    public async Task Dispose_UpstreamRecordStillQueued_FinalCheckpointCoversIt()
    {
        var (keyFile, publicPem) = WriteKeyPair(_folder);
        await using (var log = Open(Directory, o => o.SigningKeyFile = keyFile))
        {
            await AppendManyAsync(log, 2);
        }

        // Every record so far is covered by the first log's final checkpoint; the upstream record is
        // appended without waiting, so it may still be queued when the log is disposed.
        await using (var log = Open(Directory, o => o.SigningKeyFile = keyFile))
        {
            log.AppendUpstream("r-1", 200, TimeSpan.FromMilliseconds(3));
        }

        Assert.Equal(["decision", "decision", "checkpoint", "upstream", "checkpoint"], Lines(Directory).Select(l => l.Type));
        using var publicKey = AuditSigner.FromPem(publicPem);
        var verification = AuditVerifier.Verify(Directory, publicKey);
        Assert.True(verification.IsValid, verification.Error);
        Assert.Equal(2, verification.CheckpointsVerified);
    }

    [Fact]
    public async Task Dispose_NothingWritten_NoCheckpoint()
    {
        var (keyFile, _) = WriteKeyPair(_folder);
        await using (var log = Open(Directory, o => o.SigningKeyFile = keyFile))
        {
        }

        Assert.Empty(Lines(Directory));
    }

    [Fact]
    public void Open_SigningKeyFileWithoutKey_Throws()
    {
        var keyFile = _folder.Write("bad.pem", "not a key");

        Assert.ThrowsAny<ArgumentException>(() => Open(Directory, o => o.SigningKeyFile = keyFile));
    }
}
