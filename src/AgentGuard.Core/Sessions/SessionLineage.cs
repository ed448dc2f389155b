namespace AgentGuard.Sessions;

/// <summary>
/// One session's lineage in memory, capped at <see cref="SessionLimits.MaxLineage"/>: at the cap
/// nothing is forgotten, and the guard denies further copies of protected resources instead, so
/// that flooding the lineage cannot launder the weights' first copy.
/// </summary>
/// <remarks>
/// Names compare without regard to case and to trailing slashes: a copy to <c>Q3.bin</c> is still
/// weights when a case-insensitive file system is asked for <c>q3.bin</c>.
/// </remarks>
public sealed class SessionLineage(int capacity) : ILineage
{
    private readonly Dictionary<string, LineageEntry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<long, ListedResource> _listed = [];
    private readonly Lock _gate = new();
    private int _count;

    /// <inheritdoc/>
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc/>
    public bool IsFull => Count >= capacity;

    /// <inheritdoc/>
    public LineageEntry? Find(string resource)
    {
        if (Count == 0)
        {
            return null;
        }

        lock (_gate)
        {
            return _entries.GetValueOrDefault(Key(resource));
        }
    }

    /// <inheritdoc/>
    public bool TryAdd(LineageEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var key = Key(entry.Resource);
        lock (_gate)
        {
            if (_entries.Count >= capacity && !_entries.ContainsKey(key))
            {
                return false;
            }

            _entries[key] = entry;
            _count = _entries.Count;
            return true;
        }
    }

    /// <inheritdoc/>
    public void RememberListed(ListedResource listed)
    {
        ArgumentNullException.ThrowIfNull(listed);
        lock (_gate)
        {
            if (_listed.Count < capacity || _listed.ContainsKey(listed.Size))
            {
                _listed.TryAdd(listed.Size, listed);
            }
        }
    }

    /// <inheritdoc/>
    public ListedResource? FindListed(long size)
    {
        lock (_gate)
        {
            return _listed.GetValueOrDefault(size);
        }
    }

    /// <summary>A copy of every entry, for the review and tests.</summary>
    public LineageEntry[] Entries()
    {
        lock (_gate)
        {
            return [.. _entries.Values];
        }
    }

    private static string Key(string resource) => resource.Length > 1 ? resource.TrimEnd('/') : resource;
}
