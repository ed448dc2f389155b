using System.Text.Json;

namespace AgentGuard.Audit;

/// <summary>
/// Checks a whole log: every line a record, sequence numbers consecutive from 1, each <c>prev</c>
/// the SHA-256 of the line before (across segments), and every checkpoint's signature. Any edit,
/// removal, insertion or reordering breaks one of these at the first record it touches.
/// A <c>resume</c> record (the writer going on after a fault) may declare records lost: the gap
/// it declares must be exactly the one before it, and it must chain to the record on disk before
/// it. Resumes are reported, not failed.
/// </summary>
public static class AuditVerifier
{
    public static AuditVerification Verify(string directory, AuditSigner? publicKey)
    {
        var segments = AuditChain.Segments(directory);
        if (segments.Length == 0)
        {
            return new AuditVerification(0, 0, 0, $"{directory}: no audit segments ({AuditChain.SegmentPattern})");
        }

        long records = 0;
        var checkpoints = 0;
        var verified = 0;
        var expectedSequence = 1L;
        var previous = AuditChain.Genesis;
        var previousWhere = "the start of the log";
        var resumes = new List<AuditResume>();
        foreach (var segment in segments)
        {
            var bytes = File.ReadAllBytes(segment);
            var name = Path.GetFileName(segment);
            var lineNumber = 0;
            var position = 0;
            while (position < bytes.Length)
            {
                lineNumber++;
                var end = Array.IndexOf(bytes, (byte)'\n', position);
                var where = $"{name} line {lineNumber}";
                if (end < 0)
                {
                    return new AuditVerification(records, checkpoints, verified, $"{where}: incomplete last record (no newline)");
                }

                var line = bytes.AsSpan(position, end - position);
                position = end + 1;
                long sequence;
                string? prev, type;
                JsonElement root;
                try
                {
                    using var document = JsonDocument.Parse(line.ToArray());
                    root = document.RootElement.Clone();
                    sequence = root.GetProperty("seq").GetInt64();
                    prev = root.GetProperty("prev").GetString();
                    type = root.GetProperty("type").GetString();
                }
                catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
                {
                    return new AuditVerification(records, checkpoints, verified, $"{where} (expected seq {expectedSequence}): not a valid record");
                }

                where = $"{where} (seq {sequence})";
                if (type == "resume")
                {
                    var resume = ReadResume(root, where, sequence, expectedSequence, out var error);
                    if (resume is null)
                    {
                        return new AuditVerification(records, checkpoints, verified, error);
                    }

                    resumes.Add(resume);
                    expectedSequence = sequence;
                }

                if (sequence != expectedSequence)
                {
                    return new AuditVerification(records, checkpoints, verified, $"{where}: expected seq {expectedSequence}; records are missing, added or reordered");
                }

                if (prev != previous && records == 0)
                {
                    return new AuditVerification(0, 0, 0, $"{where}: prev is not the start of the chain; records before it were removed");
                }

                if (prev != previous)
                {
                    // The record before no longer hashes to what this one recorded: it was edited
                    // (or, less likely, this record's prev was).
                    return new AuditVerification(
                        records - 1,
                        checkpoints,
                        verified,
                        $"{previousWhere} was changed: its hash does not match the prev recorded by {where}");
                }

                if (type == "checkpoint")
                {
                    checkpoints++;
                    if (publicKey is not null)
                    {
                        var signature = root.TryGetProperty("signature", out var s) ? s.GetString() : null;
                        var key = root.TryGetProperty("key", out var k) ? k.GetString() : null;
                        if (key != publicKey.KeyId)
                        {
                            return new AuditVerification(records, checkpoints, verified, $"{where}: checkpoint signed with key {key}, not with the given public key {publicKey.KeyId}");
                        }

                        if (signature is null || !publicKey.Verify(sequence, prev!, signature))
                        {
                            return new AuditVerification(records, checkpoints, verified, $"{where}: checkpoint signature does not verify");
                        }

                        verified++;
                    }
                }

                previous = AuditChain.Hash(line);
                previousWhere = where;
                expectedSequence++;
                records++;
            }
        }

        return new AuditVerification(records, checkpoints, verified, null) { Resumes = resumes };
    }

    /// <summary>A resume record's statement, or <see langword="null"/> with the error when it does not fit where it stands.</summary>
    private static AuditResume? ReadResume(JsonElement root, string where, long sequence, long expectedSequence, out string? error)
    {
        error = null;
        var chainsTo = root.TryGetProperty("chains_to", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt64() : -1;
        var lostFrom = root.TryGetProperty("lost_from", out var f) && f.ValueKind == JsonValueKind.Number ? f.GetInt64() : (long?)null;
        var lostTo = root.TryGetProperty("lost_to", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt64() : (long?)null;
        var reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : string.Empty;
        if (chainsTo != expectedSequence - 1)
        {
            error = $"{where}: resume record chains to seq {chainsTo}, but the record before it is seq {expectedSequence - 1}";
            return null;
        }

        if (lostFrom is null != lostTo is null)
        {
            error = $"{where}: resume record names only one end of the records it lost";
            return null;
        }

        if (lostFrom is { } from && (from != expectedSequence || lostTo < from || sequence != lostTo + 1))
        {
            error = $"{where}: resume record declares seq {from} to {lostTo} lost, but the gap before it is seq {expectedSequence} to {sequence - 1}";
            return null;
        }

        if (lostFrom is null && sequence != expectedSequence)
        {
            error = $"{where}: expected seq {expectedSequence}; records are missing, added or reordered";
            return null;
        }

        return new AuditResume(where, sequence, chainsTo, lostFrom, lostTo, reason);
    }
}
