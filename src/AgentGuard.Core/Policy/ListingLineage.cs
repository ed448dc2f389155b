using AgentGuard.Effects;
using AgentGuard.Sessions;

namespace AgentGuard.Policy;

/// <summary>
/// Copies made outside the guard's view, learned from a listing the agent read: a file the same size
/// as a protected one in the same listing (and with the same checksum, when the listing gives both)
/// is a copy of it. Small files are left alone: equal sizes say little below <see cref="MinSize"/>.
/// </summary>
public static class ListingLineage
{
    /// <summary>The smallest file size that identifies a copy.</summary>
    public const long MinSize = 64 * 1024;

    /// <summary>The lineage <paramref name="listing"/> (the text a read of <paramref name="folder"/> returned) shows, not yet in <paramref name="lineage"/>.</summary>
    /// <param name="policy">The policy in force, for the assets.</param>
    /// <param name="folder">The listed folder's canonical URI, ending in <c>/</c>.</param>
    /// <param name="listing">The listing's text.</param>
    /// <param name="lineage">The session's lineage.</param>
    /// <param name="reference">The audit reference of the read.</param>
    /// <param name="now">When the listing was seen.</param>
    public static List<LineageEntry> Find(PolicySet policy, string folder, string listing, ILineage lineage, string reference, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(listing);
        ArgumentNullException.ThrowIfNull(lineage);
        var found = new List<LineageEntry>();
        var entries = ListingReader.Read(listing);
        if (entries.Count < 2)
        {
            return found;
        }

        var resources = new string?[entries.Count];
        var masks = new ulong[entries.Count];
        var anyProtected = false;
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

                anyProtected |= masks[i] != 0;
            }
        }

        if (!anyProtected)
        {
            return found;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (resources[i] is not { } resource || entries[i].Size < MinSize)
            {
                continue;
            }

            for (var j = 0; j < entries.Count; j++)
            {
                var carried = masks[j] & ~masks[i];
                if (j == i || carried == 0 || !SameContent(entries[i], entries[j]))
                {
                    continue;
                }

                found.Add(new LineageEntry(resource, resources[j]!, policy.AssetNames(masks[j] | masks[i]), LineageEntry.Listing, reference, now));
                break;
            }
        }

        return found;
    }

    private static bool SameContent(ListingEntry a, ListingEntry b)
        => a.Size == b.Size && (a.Checksum is null || b.Checksum is null || string.Equals(a.Checksum, b.Checksum, StringComparison.OrdinalIgnoreCase));

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
