namespace AgentGuard.Sessions;

/// <summary>
/// What a session has learned about where protected resources went: the resources a copy, move or
/// recognised upload made part of an asset. Keyed by resource, so a lookup costs one dictionary probe.
/// </summary>
public interface ILineage
{
    /// <summary>How many resources are recorded.</summary>
    int Count { get; }

    /// <summary>Whether no further resource can be recorded (then copies of protected resources are denied).</summary>
    bool IsFull { get; }

    /// <summary>The entry for <paramref name="resource"/> (a canonical URI), or <see langword="null"/>.</summary>
    LineageEntry? Find(string resource);

    /// <summary>Records <paramref name="entry"/> (replacing one for the same resource); false when full.</summary>
    bool TryAdd(LineageEntry entry);

    /// <summary>
    /// Remembers the size (and checksum) of a protected resource a listing showed, so that a file of
    /// that size in a later listing, on another host, is known as a copy. Bounded as the entries are;
    /// past the bound nothing more is remembered.
    /// </summary>
    void RememberListed(ListedResource listed);

    /// <summary>The protected resource a listing showed with <paramref name="size"/>, or <see langword="null"/>.</summary>
    ListedResource? FindListed(long size);
}
