using AgentGuard.Effects;
using AgentGuard.Sessions;

namespace AgentGuard.Policy;

/// <summary>
/// Copies made outside the guard's view, learned from the listings the agent read: a file the same
/// size as a protected one beside it, or shown by an earlier listing of the session (and with the
/// same checksum, when both are given), is a copy of it. Small files are left alone: equal sizes say
/// little below <see cref="MinSize"/>.
/// </summary>
public static class ListingLineage
{
    /// <summary>The smallest file size that identifies a copy.</summary>
    public const long MinSize = 64 * 1024;

    /// <summary>The lineage <paramref name="listing"/> (the text a read of <paramref name="folder"/> returned) shows; its protected files are remembered in <paramref name="lineage"/> for later listings.</summary>
    /// <param name="policy">The policy in force, for the assets.</param>
    /// <param name="folder">The listed folder's canonical URI, ending in <c>/</c>.</param>
    /// <param name="listing">The listing's text.</param>
    /// <param name="lineage">The session's lineage.</param>
    /// <param name="reference">The audit reference of the read.</param>
    /// <param name="now">When the listing was seen.</param>
    public static List<LineageEntry> Learn(PolicySet policy, string folder, string listing, ILineage lineage, string reference, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(listing);
        ArgumentNullException.ThrowIfNull(lineage);
        var found = new List<LineageEntry>();
        var entries = ListingReader.Read(listing);
        var resources = new string?[entries.Count];
        var masks = new ulong[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            resources[i] = Resource(folder, entries[i].Name);
            if (resources[i] is { } resource && entries[i].Size >= MinSize)
            {
                masks[i] = policy.AssetMask(resource);
                if (lineage.Find(resource) is { } known)
                {
                    masks[i] |= policy.NamedMask(known.Assets);
                }
            }
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (resources[i] is not { } resource || entries[i].Size < MinSize)
            {
                continue;
            }

            if (CopyOf(policy, entries, resources, masks, i, lineage) is { } origin)
            {
                found.Add(new LineageEntry(resource, origin.Resource, policy.AssetNames(policy.NamedMask(origin.Assets) | masks[i]), LineageEntry.Listing, reference, now));
            }
        }

        // Remembered after matching: a later listing, of another host, may show a copy of these.
        for (var i = 0; i < entries.Count; i++)
        {
            if (masks[i] != 0)
            {
                lineage.RememberListed(new ListedResource(resources[i]!, entries[i].Size, entries[i].Checksum, policy.AssetNames(masks[i])));
            }
        }

        return found;
    }

    /// <summary>The protected resource entry <paramref name="i"/> is a copy of: one beside it in this listing, else one an earlier listing showed.</summary>
    private static ListedResource? CopyOf(PolicySet policy, List<ListingEntry> entries, string?[] resources, ulong[] masks, int i, ILineage lineage)
    {
        for (var j = 0; j < entries.Count; j++)
        {
            if (j != i && (masks[j] & ~masks[i]) != 0 && SameContent(entries[i], entries[j].Size, entries[j].Checksum))
            {
                return new ListedResource(resources[j]!, entries[j].Size, entries[j].Checksum, policy.AssetNames(masks[j]));
            }
        }

        return lineage.FindListed(entries[i].Size) is { } listed
            && !string.Equals(listed.Resource, resources[i], StringComparison.OrdinalIgnoreCase)
            && (policy.NamedMask(listed.Assets) & ~masks[i]) != 0
            && SameContent(entries[i], listed.Size, listed.Checksum)
                ? listed
                : null;
    }

    private static bool SameContent(ListingEntry entry, long size, string? checksum)
        => entry.Size == size && (entry.Checksum is null || checksum is null || string.Equals(entry.Checksum, checksum, StringComparison.OrdinalIgnoreCase));

    /// <summary>The canonical resource of a listed name; <see langword="null"/> when the name cannot be one.</summary>
    private static string? Resource(string folder, string name)
    {
        // S3 keys are opaque (a/../b is its own object); other names resolve as the canonicaliser does.
        if (folder.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            return folder + name;
        }

        return name.Contains("://", StringComparison.Ordinal) ? null : ResourceCanonicalizer.Canonicalize(folder + name, out _);
    }
}
