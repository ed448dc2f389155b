using AgentGuard.Infrastructure;
using static AgentGuard.Audit.AuditTestLog;

namespace AgentGuard.Audit;

/// <summary>The verifier on real logs written by <see cref="AuditLog"/>, then edited as an attacker (or a disk) would.</summary>
public sealed class AuditVerifierTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Directory => Path.Combine(_folder.Path, "audit");

    public void Dispose() => _folder.Dispose();

    /// <summary>Ten small records in one segment, no key.</summary>
    private async Task<string> WriteTenAsync()
    {
        await using (var log = Open(Directory))
        {
            await AppendManyAsync(log, 10);
        }

        return AuditChain.Segments(Directory)[0];
    }

    /// <summary>About 130 records of ~1.1 KiB over three segments of 64 KiB, signed, ending in the final checkpoint.</summary>
    private async Task<(List<SegmentLine> Lines, AuditSigner PublicKey)> WriteSignedSegmentsAsync()
    {
        var (keyFile, publicPem) = WriteKeyPair(_folder);
        await using (var log = Open(Directory, o => { o.MaxSegmentBytes = 64 * 1024; o.SigningKeyFile = keyFile; }))
        {
            await AppendManyAsync(log, 130, perBatch: 10, make: i => Padded(1000, Start.AddSeconds(i)));
        }

        var lines = Lines(Directory);
        Assert.Equal(3, AuditChain.Segments(Directory).Length);
        Assert.Equal("checkpoint", lines[^1].Type);
        var publicKey = AuditSigner.FromPem(publicPem);
        var intact = AuditVerifier.Verify(Directory, publicKey);
        Assert.True(intact.IsValid, intact.Error);
        return (lines, publicKey);
    }

    [Fact]
    public async Task Verify_IntactLogOfThousandsOfRecords_Valid()
    {
        var (keyFile, publicPem) = WriteKeyPair(_folder);
        await using (var log = Open(Directory, o => { o.MaxSegmentBytes = 64 * 1024; o.SigningKeyFile = keyFile; }))
        {
            await AppendManyAsync(log, 5000, perBatch: 250);
        }

        using var publicKey = AuditSigner.FromPem(publicPem);
        var verification = AuditVerifier.Verify(Directory, publicKey);

        Assert.True(verification.IsValid, verification.Error);
        Assert.Equal(5001, verification.Records);
        Assert.Equal(1, verification.CheckpointsVerified);
        Assert.True(AuditChain.Segments(Directory).Length > 10);
    }

    [Theory]
    [InlineData("a value inside the JSON")]
    [InlineData("the time of the first record")]
    [InlineData("the last record of a segment")]
    [InlineData("the last data record before a checkpoint")]
    public async Task Verify_OneByteEdited_NamesExactlyThatRecord(string position)
    {
        var (lines, publicKey) = await WriteSignedSegmentsAsync();
        using var _ = publicKey;
        var segment2 = lines.First(l => l.Name == AuditChain.SegmentName(2));
        var target = position switch
        {
            "a value inside the JSON" => lines[lines.IndexOf(segment2) + 4],
            "the time of the first record" => lines[0],
            "the last record of a segment" => lines[lines.IndexOf(segment2) - 1],
            _ => lines[^2],
        };

        if (position.StartsWith("the time", StringComparison.Ordinal))
        {
            // 10:00:00 becomes 10:00:01.
            EditByteOf(target.Segment, target.Number, "T10:00:00.", 8, '1');
        }
        else
        {
            EditByteOf(target.Segment, target.Number, "\"agent\":\"gemini-agent-1\"", 22, '7');
        }

        var verification = AuditVerifier.Verify(Directory, publicKey);

        Assert.False(verification.IsValid);
        Assert.StartsWith($"{target.Name} line {target.Number} (seq {target.Sequence}) was changed: ", verification.Error, StringComparison.Ordinal);
        Assert.Equal(target.Sequence - 1, verification.Records);
    }

    [Fact]
    public async Task Verify_SequenceNumberEdited_NamesThatRecord()
    {
        var (lines, publicKey) = await WriteSignedSegmentsAsync();
        using var _ = publicKey;
        var target = lines.First(l => l.Name == AuditChain.SegmentName(2) && l.Number == 3);
        var seq = $"\"seq\":{target.Sequence}";
        var replacement = (char)(seq[^1] == '9' ? '0' : seq[^1] + 1);
        EditByteOf(target.Segment, target.Number, seq, seq.Length - 1, replacement);

        var verification = AuditVerifier.Verify(Directory, publicKey);

        Assert.StartsWith($"{target.Name} line 3 (seq {seq[6..^1]}{replacement}): expected seq {target.Sequence}; ", verification.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ByteEditedIntoInvalidJson_NamesThatLine()
    {
        var (lines, publicKey) = await WriteSignedSegmentsAsync();
        using var _ = publicKey;
        var target = lines.First(l => l.Name == AuditChain.SegmentName(2) && l.Number == 2);
        EditByte(target.Segment, 2, 0, (byte)'{', (byte)'[');

        var verification = AuditVerifier.Verify(Directory, publicKey);

        Assert.Equal($"{target.Name} line 2 (expected seq {target.Sequence}): not a valid record", verification.Error);
    }

    [Fact]
    public async Task Verify_PrevEdited_NamesTheRecordBeforeAndTheEditedOne()
    {
        // The verifier cannot tell "record 4 was edited" from "record 5's prev was edited" by record 5
        // alone, so it names both places; the first is the one whose hash no longer matches.
        var segment = await WriteTenAsync();
        var lines = LinesOf(segment);
        var prev = AuditTestLog.Parse(lines[4]).GetProperty("prev").GetString()!;
        EditByteOf(segment, 5, prev, 0, prev[0] == 'a' ? 'b' : 'a');

        var verification = AuditVerifier.Verify(Directory, null);

        Assert.Equal("audit-000001.jsonl line 4 (seq 4) was changed: its hash does not match the prev recorded by audit-000001.jsonl line 5 (seq 5)", verification.Error);
    }

    [Fact]
    public async Task Verify_LineRemoved_NamesFirstRecordAfterTheGap()
    {
        var segment = await WriteTenAsync();
        var lines = LinesOf(segment);
        lines.RemoveAt(4);
        WriteLines(segment, lines);

        var verification = AuditVerifier.Verify(Directory, null);

        Assert.Equal("audit-000001.jsonl line 5 (seq 6): expected seq 5; records are missing, added or reordered", verification.Error);
        Assert.Equal(4, verification.Records);
    }

    [Fact]
    public async Task Verify_TwoLinesSwapped_NamesFirstOfThem()
    {
        var segment = await WriteTenAsync();
        var lines = LinesOf(segment);
        (lines[4], lines[5]) = (lines[5], lines[4]);
        WriteLines(segment, lines);

        var verification = AuditVerifier.Verify(Directory, null);

        Assert.Equal("audit-000001.jsonl line 5 (seq 6): expected seq 5; records are missing, added or reordered", verification.Error);
    }

    [Fact]
    public async Task Verify_CopiedLineInserted_NamesTheInsertedLine()
    {
        var segment = await WriteTenAsync();
        var lines = LinesOf(segment);
        lines.Insert(5, lines[1]);
        WriteLines(segment, lines);

        var verification = AuditVerifier.Verify(Directory, null);

        Assert.Equal("audit-000001.jsonl line 6 (seq 2): expected seq 6; records are missing, added or reordered", verification.Error);
    }

    [Fact]
    public async Task Verify_ForgedRecordChainedInPlace_NamesTheRecordItDisplaced()
    {
        var segment = await WriteTenAsync();
        var lines = LinesOf(segment);

        // A forger who knows the format writes seq 6 with the right prev; the real seq 6 then no longer fits.
        var forged = lines[5].Replace("\"decision\":\"allow\"", "\"decision\":\"deny\"", StringComparison.Ordinal);
        Assert.NotEqual(lines[5], forged);
        lines.Insert(5, forged);
        WriteLines(segment, lines);

        var verification = AuditVerifier.Verify(Directory, null);

        Assert.Equal("audit-000001.jsonl line 7 (seq 6): expected seq 7; records are missing, added or reordered", verification.Error);
    }

    [Fact]
    public async Task Verify_FirstLinesRemoved_NamesNewFirstLine()
    {
        var segment = await WriteTenAsync();
        WriteLines(segment, LinesOf(segment).Skip(3));

        var verification = AuditVerifier.Verify(Directory, null);

        Assert.Equal("audit-000001.jsonl line 1 (seq 4): expected seq 1; records are missing, added or reordered", verification.Error);
        Assert.Equal(0, verification.Records);
    }

    [Fact]
    public async Task Verify_FirstLinesRemovedAndRenumbered_NamesBrokenStartOfChain()
    {
        var segment = await WriteTenAsync();
        var lines = LinesOf(segment).Skip(3).Select((l, i) => l.Replace($"{{\"seq\":{i + 4},", $"{{\"seq\":{i + 1},", StringComparison.Ordinal)).ToList();
        WriteLines(segment, lines);

        var verification = AuditVerifier.Verify(Directory, null);

        Assert.Equal("audit-000001.jsonl line 1 (seq 1): prev is not the start of the chain; records before it were removed", verification.Error);
    }

    [Fact]
    public async Task Verify_StartCutMidLine_NamesFirstLine()
    {
        var segment = await WriteTenAsync();
        File.WriteAllBytes(segment, File.ReadAllBytes(segment)[20..]);

        var verification = AuditVerifier.Verify(Directory, null);

        Assert.Equal("audit-000001.jsonl line 1 (expected seq 1): not a valid record", verification.Error);
    }

    [Fact]
    public async Task Verify_FirstSegmentDeleted_NamesFirstLineOfNextSegment()
    {
        var (lines, publicKey) = await WriteSignedSegmentsAsync();
        using var _ = publicKey;
        File.Delete(AuditChain.Segments(Directory)[0]);
        var first = lines.First(l => l.Name == AuditChain.SegmentName(2));

        var verification = AuditVerifier.Verify(Directory, publicKey);

        Assert.Equal($"audit-000002.jsonl line 1 (seq {first.Sequence}): expected seq 1; records are missing, added or reordered", verification.Error);
    }

    [Fact]
    public async Task Verify_MiddleSegmentDeleted_NamesFirstLineAfterTheGap()
    {
        var (lines, publicKey) = await WriteSignedSegmentsAsync();
        using var _ = publicKey;
        File.Delete(AuditChain.Segments(Directory)[1]);
        var firstOfThird = lines.First(l => l.Name == AuditChain.SegmentName(3));
        var lastOfFirst = lines.Last(l => l.Name == AuditChain.SegmentName(1));

        var verification = AuditVerifier.Verify(Directory, publicKey);

        Assert.Equal($"audit-000003.jsonl line 1 (seq {firstOfThird.Sequence}): expected seq {lastOfFirst.Sequence + 1}; records are missing, added or reordered", verification.Error);
    }

    [Fact]
    public async Task Verify_LastLineWithoutNewline_ReportsIncompleteRecord()
    {
        var segment = await WriteTenAsync();
        var bytes = File.ReadAllBytes(segment);
        File.WriteAllBytes(segment, bytes[..^1]);

        var verification = AuditVerifier.Verify(Directory, null);

        Assert.Equal("audit-000001.jsonl line 10: incomplete last record (no newline)", verification.Error);
        Assert.Equal(9, verification.Records);
    }

    [Fact]
    public void Verify_NoSegments_Fails()
    {
        var verification = AuditVerifier.Verify(Directory, null);

        Assert.Equal($"{Directory}: no audit segments (audit-*.jsonl)", verification.Error);
    }

    [Fact]
    public async Task Verify_WithoutPublicKey_CountsCheckpointsButVerifiesNone()
    {
        var (_, publicKey) = await WriteSignedSegmentsAsync();
        publicKey.Dispose();

        var verification = AuditVerifier.Verify(Directory, null);

        Assert.True(verification.IsValid, verification.Error);
        Assert.Equal(1, verification.Checkpoints);
        Assert.Equal(0, verification.CheckpointsVerified);
    }

    [Fact]
    public async Task Verify_WrongPublicKey_FailsAtFirstCheckpoint()
    {
        var (lines, publicKey) = await WriteSignedSegmentsAsync();
        publicKey.Dispose();
        using var other = AuditSigner.FromPem(AuditSigner.Generate().PublicPem);

        var verification = AuditVerifier.Verify(Directory, other);

        var checkpoint = lines[^1];
        Assert.Equal(
            $"{checkpoint.Name} line {checkpoint.Number} (seq {checkpoint.Sequence}): checkpoint signed with key {checkpoint.Json.GetProperty("key").GetString()}, not with the given public key {other.KeyId}",
            verification.Error);
    }

    [Fact]
    public async Task Verify_WrongKeyUnderTheRightKeyId_SignatureFails()
    {
        // A forger re-signs a checkpoint with their own key but keeps the key id the reviewer expects.
        var (lines, publicKey) = await WriteSignedSegmentsAsync();
        using var _ = publicKey;
        var checkpoint = lines[^1];
        var json = checkpoint.Json;
        var (forgerPrivate, _) = AuditSigner.Generate();
        using var forger = AuditSigner.FromPem(forgerPrivate);
        var forgedSignature = forger.Sign(checkpoint.Sequence, json.GetProperty("prev").GetString()!);
        var edited = checkpoint.Text.Replace(json.GetProperty("signature").GetRawText(), $"\"{forgedSignature}\"", StringComparison.Ordinal);
        Assert.NotEqual(checkpoint.Text, edited);
        var segmentLines = LinesOf(checkpoint.Segment);
        segmentLines[^1] = edited;
        WriteLines(checkpoint.Segment, segmentLines);

        var verification = AuditVerifier.Verify(Directory, publicKey);

        Assert.Equal($"{checkpoint.Name} line {checkpoint.Number} (seq {checkpoint.Sequence}): checkpoint signature does not verify", verification.Error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(40)]
    public async Task Verify_SignatureByteTampered_Fails(int index)
    {
        var (lines, publicKey) = await WriteSignedSegmentsAsync();
        using var _ = publicKey;
        var checkpoint = lines[^1];
        TamperSignature(checkpoint.Segment, checkpoint.Number, checkpoint.Json.GetProperty("signature").GetRawText(), index);

        var verification = AuditVerifier.Verify(Directory, publicKey);

        Assert.Equal($"{checkpoint.Name} line {checkpoint.Number} (seq {checkpoint.Sequence}): checkpoint signature does not verify", verification.Error);
    }

    [Fact]
    public async Task Verify_CheckpointInMiddleTampered_FailsAtTheCheckpointNotAfterIt()
    {
        var (keyFile, publicPem) = WriteKeyPair(_folder);
        await using (var log = Open(Directory, o => o.SigningKeyFile = keyFile))
        {
            await AppendManyAsync(log, 3);
        }

        await using (var log = Open(Directory, o => o.SigningKeyFile = keyFile))
        {
            await AppendManyAsync(log, 3);
        }

        var segment = AuditChain.Segments(Directory)[0];
        var lines = LinesOf(segment);
        Assert.Equal("checkpoint", AuditTestLog.Parse(lines[3]).GetProperty("type").GetString());
        TamperSignature(segment, 4, AuditTestLog.Parse(lines[3]).GetProperty("signature").GetRawText(), 10);
        using var publicKey = AuditSigner.FromPem(publicPem);

        var verification = AuditVerifier.Verify(Directory, publicKey);

        Assert.Equal("audit-000001.jsonl line 4 (seq 4): checkpoint signature does not verify", verification.Error);
        Assert.Equal(3, verification.Records);
    }

    [Fact]
    public async Task Verify_EmptySegmentBetweenSegments_Valid()
    {
        // What a crash right after rotation leaves once its torn line is dropped.
        await using (var log = Open(Directory, o => o.MaxSegmentBytes = 64 * 1024))
        {
            await AppendManyAsync(log, 70, perBatch: 10, make: i => Padded(1000));
        }

        await File.WriteAllTextAsync(Path.Combine(Directory, AuditChain.SegmentName(3)), "{\"seq\":71,");
        await using (var log = Open(Directory, o => o.MaxSegmentBytes = 64 * 1024))
        {
        }

        Assert.Equal(0, new FileInfo(Path.Combine(Directory, AuditChain.SegmentName(3))).Length);
        var verification = AuditVerifier.Verify(Directory, null);
        Assert.True(verification.IsValid, verification.Error);
        Assert.Equal(70, verification.Records);
    }

    /// <summary>Changes one letter or digit of a signature, at or after <paramref name="index"/> of its raw JSON (which may hold escapes such as <c>\u002B</c>).</summary>
    private static void TamperSignature(string segment, int line, string raw, int index)
    {
        var escaped = new bool[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\')
            {
                var length = raw[i + 1] == 'u' ? 6 : 2;
                Array.Fill(escaped, true, i, length);
                i += length - 1;
            }
        }

        while (escaped[index] || !char.IsAsciiLetterOrDigit(raw[index]))
        {
            index++;
        }

        EditByteOf(segment, line, raw, index, raw[index] == 'A' ? 'B' : 'A');
    }

    /// <summary>Three records, then the folder emptied and recreated while the log runs: a resume record declaring 1 to 3 lost, then two records.</summary>
    private async Task<string> WriteResumedAfterLossAsync()
    {
        await using (var log = Open(Directory, o => o.MaxSegmentBytes = 64 * 1024))
        {
            await AppendManyAsync(log, 3);
            System.IO.Directory.Delete(Directory, recursive: true);
            await Assert.ThrowsAsync<AuditWriteException>(async () => await log.AppendAsync([Decision()], CancellationToken.None));
            System.IO.Directory.CreateDirectory(Directory);
            await AppendManyAsync(log, 2);
        }

        return Assert.Single(AuditChain.Segments(Directory));
    }

    [Fact]
    public async Task Verify_ResumeDeclaringTheGapBeforeIt_ValidAndReported()
    {
        await WriteResumedAfterLossAsync();

        var verification = AuditVerifier.Verify(Directory, null);

        Assert.True(verification.IsValid, verification.Error);
        Assert.Equal(3, verification.Records);
        var resume = Assert.Single(verification.Resumes);
        Assert.Equal("audit-000002.jsonl line 1 (seq 4)", resume.Where);
        Assert.Equal((1L, 3L), (resume.LostFrom, resume.LostTo));
        Assert.Contains("removed", resume.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ResumeDeclaringLessThanIsMissing_FailsAtTheResume()
    {
        var segment = await WriteResumedAfterLossAsync();
        var lines = LinesOf(segment);

        // Claims only seq 2 to 3 were lost, while the log starts at it: seq 1 is missing undeclared.
        lines[0] = lines[0].Replace("\"lost_from\":1", "\"lost_from\":2", StringComparison.Ordinal);
        WriteLines(segment, lines);

        var verification = AuditVerifier.Verify(Directory, null);

        Assert.Equal("audit-000002.jsonl line 1 (seq 4): resume record declares seq 2 to 3 lost, but the gap before it is seq 1 to 3", verification.Error);
    }

    [SkippableFact]
    public async Task Verify_RecordsRemovedBeforeResumeThatLostNothing_Fails()
    {
        await using (var log = Open(Directory))
        {
            await AppendManyAsync(log, 3);
            Immutable.Set(Directory);
            try
            {
                await Assert.ThrowsAsync<AuditWriteException>(async () => await log.AppendAsync([Decision()], CancellationToken.None));
            }
            finally
            {
                Immutable.Clear(Directory);
            }

            await AppendManyAsync(log, 1);
        }

        Assert.True(AuditVerifier.Verify(Directory, null).IsValid);
        var first = AuditChain.Segments(Directory)[0];
        WriteLines(first, LinesOf(first).Take(2));

        var verification = AuditVerifier.Verify(Directory, null);

        Assert.Equal("audit-000002.jsonl line 1 (seq 4): resume record chains to seq 3, but the record before it is seq 2", verification.Error);
    }
}
