using System.Globalization;
using System.Text.Json;
using AgentGuard.Audit;
using AgentGuard.Policy;

namespace AgentGuard.Admin;

/// <summary>
/// The audit log as the review page reads it: an index of every record's filter fields and place
/// in its segment, kept in memory and brought up to date from where it stopped on each page view
/// (only the lines written since are read). A page of the decisions table is then a walk over the
/// index from a sequence number, not a parse of the whole log: with 200,000 records the first
/// view builds the index (1.6 s) and a later page takes 0.4 ms, refresh included, where
/// <see cref="AuditReader"/> parses the whole log for the newest page (1.5 s; ReviewLogBenchmarks).
/// Values repeated across records (agents, tools, rules) are shared; a row is its fields and the
/// record's place, not its text.
/// </summary>
internal sealed class ReviewLog(string directory)
{
    /// <summary>Distinct values kept shared; past this, values are stored as read.</summary>
    private const int MaxSharedValues = 10_000;

    private readonly Lock _gate = new();
    private readonly List<ReviewRow> _rows = [];
    private readonly List<(string Path, long Position)> _segments = [];
    private readonly Dictionary<string, int> _byReference = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _shared = new(StringComparer.Ordinal);

    /// <summary>The log folder.</summary>
    public string Directory { get; } = directory;

    /// <summary>How many records are indexed.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _rows.Count;
            }
        }
    }

    /// <summary>Reads what was appended since the last call; starts over when a segment shrank or vanished (the log was replaced).</summary>
    public void Refresh()
    {
        lock (_gate)
        {
            var files = AuditChain.Segments(Directory);
            for (var i = 0; i < _segments.Count; i++)
            {
                if (i >= files.Length || files[i] != _segments[i].Path || new FileInfo(files[i]).Length < _segments[i].Position)
                {
                    _rows.Clear();
                    _segments.Clear();
                    _byReference.Clear();
                    break;
                }
            }

            for (var i = 0; i < files.Length; i++)
            {
                if (i == _segments.Count)
                {
                    _segments.Add((files[i], 0));
                }

                _segments[i] = (files[i], ReadFrom(i, files[i], _segments[i].Position));
            }
        }
    }

    /// <summary>
    /// The rows matching <paramref name="filter"/>, newest first, at most <paramref name="take"/>:
    /// those older than <paramref name="before"/> when given, else those newer than
    /// <paramref name="after"/> when given, else the newest.
    /// </summary>
    public List<ReviewRow> Page(ReviewFilter filter, long? before, long? after, int take)
    {
        var page = new List<ReviewRow>(Math.Min(take, 1024));
        lock (_gate)
        {
            if (after is { } newer && before is null)
            {
                for (var i = IndexAfter(newer); i < _rows.Count && page.Count < take; i++)
                {
                    if (filter.Matches(_rows[i]))
                    {
                        page.Add(_rows[i]);
                    }
                }

                page.Reverse();
                return page;
            }

            for (var i = before is { } older ? IndexAfter(older - 1) - 1 : _rows.Count - 1; i >= 0 && page.Count < take; i--)
            {
                if (filter.Matches(_rows[i]))
                {
                    page.Add(_rows[i]);
                }
            }
        }

        return page;
    }

    /// <summary>Whether any row matching <paramref name="filter"/> is newer than <paramref name="sequence"/>.</summary>
    public bool AnyAfter(ReviewFilter filter, long sequence) => Page(filter, null, sequence, 1).Count > 0;

    /// <summary>Whether any row matching <paramref name="filter"/> is older than <paramref name="sequence"/>.</summary>
    public bool AnyBefore(ReviewFilter filter, long sequence) => Page(filter, sequence, null, 1).Count > 0;

    /// <summary>Every row, for a pass such as the overview's counts (a copy of the list, not of the rows).</summary>
    public ReviewRow[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _rows];
        }
    }

    /// <summary>The decision (or, failing one, the first record) with reference <paramref name="reference"/>, or a record named <c>seq-N</c>.</summary>
    public ReviewRow? Find(string reference)
    {
        lock (_gate)
        {
            if (reference.StartsWith("seq-", StringComparison.Ordinal)
                && long.TryParse(reference.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                var index = IndexAfter(sequence - 1);
                return index < _rows.Count && _rows[index].Sequence == sequence ? _rows[index] : null;
            }

            return _byReference.TryGetValue(reference, out var at) ? _rows[at] : null;
        }
    }

    /// <summary>The records sharing <paramref name="row"/>'s reference (its upstream answer, its hold's events), in chain order, and its neighbours in the chain.</summary>
    public (List<ReviewRow> Related, ReviewRow? Previous, ReviewRow? Next) Around(ReviewRow row)
    {
        lock (_gate)
        {
            var index = IndexAfter(row.Sequence - 1);
            var related = new List<ReviewRow>();
            if (row.Reference is { } reference && _byReference.TryGetValue(reference, out var first))
            {
                for (var i = first; i < _rows.Count && related.Count < 100; i++)
                {
                    if (i != index && string.Equals(_rows[i].Reference, reference, StringComparison.Ordinal))
                    {
                        related.Add(_rows[i]);
                    }
                }
            }

            return (related, index > 0 ? _rows[index - 1] : null, index + 1 < _rows.Count ? _rows[index + 1] : null);
        }
    }

    /// <summary>The record's exact line as the log holds it.</summary>
    public byte[] ReadLine(ReviewRow row)
    {
        string path;
        lock (_gate)
        {
            path = _segments[row.Segment].Path;
        }

        var line = new byte[row.Length];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Position = row.Offset;
        stream.ReadExactly(line);
        return line;
    }

    /// <summary>The index of the first row whose sequence number is greater than <paramref name="sequence"/>.</summary>
    private int IndexAfter(long sequence)
    {
        int low = 0, high = _rows.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_rows[middle].Sequence <= sequence)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private long ReadFrom(int segment, string path, long position)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        if (stream.Length <= position)
        {
            return position;
        }

        stream.Position = position;
        var buffer = new byte[1 << 20];
        var filled = 0;
        while (true)
        {
            var read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                // A torn or still-being-written last line stays for the next refresh.
                return position;
            }

            filled += read;
            var start = 0;
            int newline;
            while ((newline = Array.IndexOf(buffer, (byte)'\n', start, filled - start)) >= 0)
            {
                Add(segment, position, buffer.AsMemory(start, newline - start));
                position += newline - start + 1;
                start = newline + 1;
            }

            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                filled -= start;
            }
            else if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }
    }

    private void Add(int segment, long offset, ReadOnlyMemory<byte> line)
    {
        ReviewRow row;
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var type = Shared(root.GetProperty("type").GetString())!;
            var reference = AuditEntry.String(root, "ref");
            row = new ReviewRow(
                root.GetProperty("seq").GetInt64(),
                DateTimeOffset.Parse(root.GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                type,
                reference,
                Shared(AuditEntry.String(root, "agent")),
                Shared(AuditEntry.String(root, "session")),
                Shared(AuditEntry.String(root, "tool")),
                Shared(AuditEntry.String(root, "decision")),
                Shared(AuditEntry.String(root, "rule")),
                Shared(AuditEntry.String(root, "finding")),
                Enum.TryParse<Severity>(AuditEntry.String(root, "severity"), ignoreCase: true, out var severity) ? severity : null,
                Shared(AuditEntry.String(root, "event")),
                segment,
                offset,
                line.Length);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // Not a record: `audit verify` and the chain status on the record page report it.
            return;
        }

        if (_rows.Count > 0 && row.Sequence <= _rows[^1].Sequence)
        {
            // Out of order (an edited log): the index stays ordered; the chain status says what is wrong.
            return;
        }

        _rows.Add(row);
        if (row.Reference is { } key && (!_byReference.TryGetValue(key, out var existing) || (_rows[existing].Type != "decision" && row.Type == "decision")))
        {
            _byReference[key] = _rows.Count - 1;
        }
    }

    private string? Shared(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (_shared.TryGetValue(value, out var shared))
        {
            return shared;
        }

        if (_shared.Count < MaxSharedValues)
        {
            _shared[value] = value;
        }

        return value;
    }
}
