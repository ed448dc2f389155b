namespace AgentGuard.Audit;

/// <summary>Reads records back from a log folder, for queries and the review API.</summary>
public static class AuditReader
{
    /// <summary>The records matching <paramref name="query"/>, in chain order, skipping the first <paramref name="skip"/> matches and returning at most <paramref name="take"/>.</summary>
    public static List<AuditEntry> Query(string directory, AuditQuery query, int skip = 0, int take = int.MaxValue)
    {
        var results = new List<AuditEntry>();
        if (take <= 0)
        {
            return results;
        }

        var matched = 0;
        foreach (var entry in ReadAll(directory))
        {
            if (!query.Matches(entry) || matched++ < skip)
            {
                continue;
            }

            results.Add(entry);
            if (results.Count == take)
            {
                break;
            }
        }

        return results;
    }

    /// <summary>Every complete, readable record, in chain order. Lines that are not records are skipped (<c>audit verify</c> reports them).</summary>
    public static IEnumerable<AuditEntry> ReadAll(string directory)
    {
        foreach (var segment in AuditChain.Segments(directory))
        {
            using var stream = new FileStream(segment, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (AuditEntry.Parse(line) is { } entry)
                {
                    yield return entry;
                }
            }
        }
    }
}
