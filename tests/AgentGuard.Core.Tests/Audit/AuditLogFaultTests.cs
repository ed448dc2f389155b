using AgentGuard.Infrastructure;
using static AgentGuard.Audit.AuditTestLog;

namespace AgentGuard.Audit;

/// <summary>
/// The writer when its folder or disk fails under it: the folder removed, a segment replaced, the
/// files made immutable, the disk full, a group write that only partly lands. Each time the log
/// refuses what it cannot make durable, says so, holds only what was acknowledged, and resumes
/// with a record saying what was lost and which record it chains to. All on real files.
/// </summary>
public sealed class AuditLogFaultTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Directory => Path.Combine(_folder.Path, "audit");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task AppendAsync_FolderRemoved_DeniesUntilRecreatedThenResumesSayingWhatWasLost()
    {
        await using (var log = Open(Directory))
        {
            await AppendManyAsync(log, 3);
            System.IO.Directory.Delete(Directory, recursive: true);

            // Writing on into the deleted file would acknowledge a record no one can ever read.
            await Assert.ThrowsAsync<AuditWriteException>(async () => await log.AppendAsync([Decision(reference: "unrecorded")], CancellationToken.None));
            Assert.False(log.IsHealthy);
            Assert.Contains("removed", log.LastError, StringComparison.Ordinal);
            Assert.False(await log.CheckAsync(CancellationToken.None));
            Assert.False(System.IO.Directory.Exists(Directory), "the guard recreated the removed folder itself");

            System.IO.Directory.CreateDirectory(Directory);
            await log.AppendAsync([Decision(reference: "after")], CancellationToken.None);
            Assert.True(log.IsHealthy, log.LastError);
        }

        var lines = Lines(Directory);
        Assert.Equal(["resume", "decision"], lines.Select(l => l.Type));
        var resume = lines[0].Json;
        Assert.Equal(4, lines[0].Sequence);
        Assert.Equal(0, resume.GetProperty("chains_to").GetInt64());
        Assert.Equal(1, resume.GetProperty("lost_from").GetInt64());
        Assert.Equal(3, resume.GetProperty("lost_to").GetInt64());
        Assert.Contains("removed", resume.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(AuditChain.Genesis, resume.GetProperty("prev").GetString());
        Assert.Equal("after", lines[1].Json.GetProperty("ref").GetString());
        Assert.Equal(5, lines[1].Sequence);

        var verification = AuditVerifier.Verify(Directory, null);
        Assert.True(verification.IsValid, verification.Error);
        var reported = Assert.Single(verification.Resumes);
        Assert.Equal((4L, 0L, 1L, 3L), (reported.Sequence, reported.ChainsTo, reported.LostFrom, reported.LostTo));
    }

    [Fact]
    public async Task AppendAsync_SegmentReplacedByCopy_FailsThatBatchAndResumesInNewSegmentLosingNothing()
    {
        string segment;
        await using (var log = Open(Directory))
        {
            await AppendManyAsync(log, 2);
            segment = AuditChain.Segments(Directory)[0];

            // Same name and content, another file: the log's handle now writes where no one reads.
            var bytes = await File.ReadAllBytesAsync(segment);
            File.Delete(segment);
            await File.WriteAllBytesAsync(segment, bytes);

            await Assert.ThrowsAsync<AuditWriteException>(async () => await log.AppendAsync([Decision(reference: "unrecorded")], CancellationToken.None));
            Assert.Contains("replaced", log.LastError, StringComparison.Ordinal);
            await log.AppendAsync([Decision(reference: "after")], CancellationToken.None);
        }

        var lines = Lines(Directory);
        Assert.Equal(["decision", "decision", "resume", "decision"], lines.Select(l => l.Type));
        Assert.DoesNotContain(lines, l => l.Text.Contains("unrecorded", StringComparison.Ordinal));
        Assert.Equal(AuditChain.SegmentName(2), lines[2].Name);
        Assert.Equal(1, lines[2].Number);
        var resume = lines[2].Json;
        Assert.Equal(3, lines[2].Sequence);
        Assert.Equal(2, resume.GetProperty("chains_to").GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, resume.GetProperty("lost_from").ValueKind);
        Assert.Equal(AuditChain.Hash(System.Text.Encoding.UTF8.GetBytes(lines[1].Text)), resume.GetProperty("prev").GetString());

        var verification = AuditVerifier.Verify(Directory, null);
        Assert.True(verification.IsValid, verification.Error);
        Assert.Null(Assert.Single(verification.Resumes).LostFrom);
    }

    [Fact]
    public async Task CheckAsync_FolderRemovedWhileIdle_NotReadyWithReasonAndReadyOnceBack()
    {
        await using var log = Open(Directory);
        await AppendManyAsync(log, 1);
        Assert.True(await log.CheckAsync(CancellationToken.None));

        System.IO.Directory.Delete(Directory, recursive: true);

        Assert.False(await log.CheckAsync(CancellationToken.None));
        Assert.Contains(Directory, log.LastError, StringComparison.Ordinal);

        System.IO.Directory.CreateDirectory(Directory);
        Assert.True(await log.CheckAsync(CancellationToken.None), log.LastError);
        Assert.Equal("resume", Assert.Single(Lines(Directory)).Type);
    }

    [SkippableFact]
    public async Task AppendAsync_FilesImmutable_DeniesUntilWritableThenResumes()
    {
        await using (var log = Open(Directory))
        {
            await AppendManyAsync(log, 2);
            Immutable.Set(Directory);
            try
            {
                await Assert.ThrowsAsync<AuditWriteException>(async () => await log.AppendAsync([Decision(reference: "unrecorded")], CancellationToken.None));
                Assert.False(await log.CheckAsync(CancellationToken.None));
            }
            finally
            {
                Immutable.Clear(Directory);
            }

            await log.AppendAsync([Decision(reference: "after")], CancellationToken.None);
        }

        var lines = Lines(Directory);
        Assert.Equal(["decision", "decision", "resume", "decision"], lines.Select(l => l.Type));
        Assert.Equal(2, lines[2].Json.GetProperty("chains_to").GetInt64());
        var verification = AuditVerifier.Verify(Directory, null);
        Assert.True(verification.IsValid, verification.Error);
    }

    [SkippableFact]
    public async Task CheckAsync_DiskFullAfterFailedAppend_StaysNotReadyUntilSpaceIsFreed()
    {
        using var disk = SmallDisk.Mount();
        var directory = Path.Combine(disk.Path, "audit");
        await using (var log = Open(directory, o => o.Durability = AuditDurability.Fsync))
        {
            await AppendManyAsync(log, 2);
            disk.Fill();

            await Assert.ThrowsAsync<AuditWriteException>(async () => await log.AppendAsync([Padded(8000)], CancellationToken.None));

            // Readiness is whether a real record reaches the disk, not whether an empty write does.
            Assert.False(await log.CheckAsync(CancellationToken.None));
            Assert.False(await log.CheckAsync(CancellationToken.None));
            Assert.False(log.IsHealthy);

            disk.Free();
            Assert.True(await log.CheckAsync(CancellationToken.None), log.LastError);
            await log.AppendAsync([Decision(reference: "after")], CancellationToken.None);
        }

        Assert.Equal(["decision", "decision", "resume", "decision"], Lines(directory).Select(l => l.Type));
        var verification = AuditVerifier.Verify(directory, null);
        Assert.True(verification.IsValid, verification.Error);
    }

    [SkippableFact]
    public async Task AppendAsync_GroupWritePartlyOnDisk_SegmentCutBackToLastAcknowledgedRecord()
    {
        using var disk = SmallDisk.Mount();
        var directory = Path.Combine(disk.Path, "audit");
        await using (var log = Open(directory, o => o.Durability = AuditDurability.Fsync))
        {
            await AppendManyAsync(log, 2);
            var segment = AuditChain.Segments(directory)[0];
            var acknowledged = new FileInfo(segment).Length;

            // One free page plus the rest of the segment's last page: the first ~3 KiB record of the
            // group fits whole, the group does not.
            disk.Fill(leave: 4096);
            var denied = new[] { Padded(3000), Padded(3000), Padded(3000) };
            await Assert.ThrowsAsync<AuditWriteException>(async () => await log.AppendAsync(denied, CancellationToken.None));

            Assert.Equal(acknowledged, new FileInfo(segment).Length);

            disk.Free();
            await log.AppendAsync([Decision(reference: "after")], CancellationToken.None);
            var lines = Lines(directory);
            Assert.Equal(["decision", "decision", "resume", "decision"], lines.Select(l => l.Type));
            Assert.DoesNotContain(lines, l => denied.Any(d => l.Text.Contains(d.Reference, StringComparison.Ordinal)));
        }

        var verification = AuditVerifier.Verify(directory, null);
        Assert.True(verification.IsValid, verification.Error);
    }

    [SkippableFact]
    public async Task AppendAsync_CutBackRefusedByImmutableFile_RetriedBeforeAnythingElseIsWritten()
    {
        var failed = 0;
        await using (var log = Open(Directory))
        {
            await AppendManyAsync(log, 2);
            var segment = AuditChain.Segments(Directory)[0];
            var acknowledged = new FileInfo(segment).Length;
            log.Written += (_, _) =>
            {
                // The group is in the file; then the file turns immutable and the group fails, so the
                // records cannot be cut from it yet.
                if (Interlocked.Increment(ref failed) == 1)
                {
                    Immutable.Set(Directory);
                    throw new NotSupportedException("subscriber bug");
                }
            };

            try
            {
                await Assert.ThrowsAsync<AuditWriteException>(async () => await log.AppendAsync([Decision(reference: "denied")], CancellationToken.None));
                Assert.True(new FileInfo(segment).Length > acknowledged, "the failed group never reached the file");
                await Assert.ThrowsAsync<AuditWriteException>(async () => await log.AppendAsync([Decision(reference: "while-immutable")], CancellationToken.None));
            }
            finally
            {
                Immutable.Clear(Directory);
            }

            await log.AppendAsync([Decision(reference: "after")], CancellationToken.None);
            Assert.Equal(acknowledged, new FileInfo(segment).Length);
        }

        var lines = Lines(Directory);
        Assert.Equal(["decision", "decision", "resume", "decision"], lines.Select(l => l.Type));
        Assert.Equal("after", lines[3].Json.GetProperty("ref").GetString());
        Assert.True(AuditVerifier.Verify(Directory, null).IsValid);
    }
}
