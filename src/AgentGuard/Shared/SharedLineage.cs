using AgentGuard.Sessions;

namespace AgentGuard.Shared;

/// <summary>
/// One session's lineage as this replica knows it: a local <see cref="SessionLineage"/> that decides
/// (a dictionary probe, never a round trip), with what this replica records published to the other
/// replicas and what they record applied as it arrives.
/// </summary>
internal sealed class SharedLineage(int capacity, Action<LineageEntry> published, Action<ListedResource> listed, TimeProvider timeProvider) : ILineage
{
    private readonly SessionLineage _local = new(capacity);
    private long _lastUsedTicks = timeProvider.GetUtcNow().UtcTicks;

    /// <inheritdoc/>
    public int Count => _local.Count;

    /// <inheritdoc/>
    public bool IsFull => _local.IsFull;

    /// <summary>When this replica last used or learned of this lineage.</summary>
    public DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

    /// <inheritdoc/>
    public LineageEntry? Find(string resource) => _local.Find(resource);

    /// <inheritdoc/>
    public bool TryAdd(LineageEntry entry)
    {
        if (!_local.TryAdd(entry))
        {
            return false;
        }

        Used();
        published(entry);
        return true;
    }

    /// <inheritdoc/>
    public void RememberListed(ListedResource listed1)
    {
        ArgumentNullException.ThrowIfNull(listed1);
        var known = _local.FindListed(listed1.Size) is not null;
        _local.RememberListed(listed1);
        if (!known && _local.FindListed(listed1.Size) is not null)
        {
            Used();
            listed(listed1);
        }
    }

    /// <inheritdoc/>
    public ListedResource? FindListed(long size) => _local.FindListed(size);

    /// <summary>An entry another replica recorded.</summary>
    public void Apply(LineageEntry entry)
    {
        _local.TryAdd(entry);
        Used();
    }

    /// <summary>A listed resource another replica remembered.</summary>
    public void Apply(ListedResource listed1)
    {
        _local.RememberListed(listed1);
        Used();
    }

    /// <summary>A copy of every entry.</summary>
    public LineageEntry[] Entries() => _local.Entries();

    /// <summary>Marks the lineage as used now (a session on this replica started with it).</summary>
    public void Used() => Interlocked.Exchange(ref _lastUsedTicks, timeProvider.GetUtcNow().UtcTicks);
}
