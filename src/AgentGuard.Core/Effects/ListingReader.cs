using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AgentGuard.Effects;

/// <summary>
/// Reads the files a folder listing shows, in the forms tools print them: JSON (an array of
/// objects, or an object holding one, with a name and a size), S3's <c>ListObjects</c> XML, <c>ls -l</c>
/// lines, and <c>name | ... | size: N | ...</c> lines. Anything else yields nothing; never throws.
/// </summary>
public static partial class ListingReader
{
    /// <summary>The most entries read from one listing.</summary>
    public const int MaxEntries = 10_000;

    private static readonly string[] NameFields = ["name", "filename", "file_name", "key", "path", "file"];
    private static readonly string[] SizeFields = ["size", "bytes", "size_bytes", "length", "content_length", "contentlength"];
    private static readonly string[] ChecksumFields = ["etag", "checksum", "sha256", "sha_256", "hash", "md5", "digest"];

    /// <summary>The entries of <paramref name="listing"/>, in order; empty when it is not a listing this reader knows.</summary>
    public static List<ListingEntry> Read(string listing)
    {
        var entries = new List<ListingEntry>();
        try
        {
            var text = listing.AsSpan().TrimStart();
            if (text.StartsWith("[") || text.StartsWith("{"))
            {
                ReadJson(listing, entries);
            }
            else if (text.StartsWith("<"))
            {
                ReadS3Xml(listing, entries);
            }
            else
            {
                ReadLines(listing, entries);
            }
        }
        catch (Exception ex) when (ex is JsonException or RegexMatchTimeoutException or FormatException or OverflowException)
        {
            // Not a listing after all: what was read so far stands.
        }

        return entries;
    }

    private static void ReadJson(string listing, List<ListingEntry> entries)
    {
        using var document = JsonDocument.Parse(listing, new JsonDocumentOptions { MaxDepth = 16 });
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object)
        {
            // { "files": [...] } and the like: the first array of objects.
            foreach (var property in root.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Array)
                {
                    root = property.Value;
                    break;
                }
            }
        }

        if (root.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var item in root.EnumerateArray())
        {
            if (entries.Count >= MaxEntries)
            {
                return;
            }

            if (item.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            string? name = null, checksum = null;
            long? size = null;
            foreach (var property in item.EnumerateObject())
            {
                var key = property.Name;
                if (name is null && Is(key, NameFields) && property.Value.ValueKind == JsonValueKind.String)
                {
                    name = property.Value.GetString();
                }
                else if (size is null && Is(key, SizeFields))
                {
                    size = property.Value.ValueKind switch
                    {
                        JsonValueKind.Number when property.Value.TryGetInt64(out var n) => n,
                        JsonValueKind.String when long.TryParse(property.Value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
                        _ => null,
                    };
                }
                else if (checksum is null && Is(key, ChecksumFields) && property.Value.ValueKind == JsonValueKind.String)
                {
                    checksum = property.Value.GetString();
                }
            }

            Add(entries, name, size, checksum);
        }
    }

    private static void ReadS3Xml(string listing, List<ListingEntry> entries)
    {
        foreach (Match contents in S3Contents().Matches(listing))
        {
            if (entries.Count >= MaxEntries)
            {
                return;
            }

            var body = contents.Groups[1].Value;
            var key = S3Key().Match(body);
            var size = S3Size().Match(body);
            var etag = S3ETag().Match(body);
            if (key.Success && size.Success && long.TryParse(size.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
            {
                Add(entries, System.Net.WebUtility.HtmlDecode(key.Groups[1].Value), bytes, etag.Success ? System.Net.WebUtility.HtmlDecode(etag.Groups[1].Value) : null);
            }
        }
    }

    private static void ReadLines(string listing, List<ListingEntry> entries)
    {
        foreach (var range in listing.AsSpan().Split('\n'))
        {
            if (entries.Count >= MaxEntries)
            {
                return;
            }

            var line = listing[range].TrimEnd('\r');
            if (line.Contains('|', StringComparison.Ordinal))
            {
                var fields = line.Split('|', StringSplitOptions.TrimEntries);
                foreach (var field in fields.AsSpan(1))
                {
                    var size = SizeField().Match(field);
                    if (size.Success && long.TryParse(size.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
                    {
                        Add(entries, fields[0], bytes, null);
                        break;
                    }
                }

                continue;
            }

            var long_ = LongListing().Match(line);
            if (long_.Success && long.TryParse(long_.Groups["size"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var listed))
            {
                Add(entries, long_.Groups["name"].Value, listed, null);
            }
        }
    }

    private static void Add(List<ListingEntry> entries, string? name, long? size, string? checksum)
    {
        if (!string.IsNullOrWhiteSpace(name) && size is >= 0 && name.Length <= 1024)
        {
            entries.Add(new ListingEntry(name.Trim(), size.Value, string.IsNullOrWhiteSpace(checksum) ? null : checksum.Trim().Trim('"')));
        }
    }

    private static bool Is(string key, string[] names)
    {
        foreach (var name in names)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex(@"<Contents>(.*?)</Contents>", RegexOptions.Singleline, matchTimeoutMilliseconds: 1000)]
    private static partial Regex S3Contents();

    [GeneratedRegex(@"<Key>([^<]*)</Key>", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex S3Key();

    [GeneratedRegex(@"<Size>(\d{1,19})</Size>", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex S3Size();

    [GeneratedRegex(@"<ETag>([^<]*)</ETag>", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex S3ETag();

    [GeneratedRegex(@"^(?:size|bytes|size_bytes)\s*[:=]\s*(\d{1,19})(?:\s*(?:bytes|B))?$", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SizeField();

    [GeneratedRegex(@"^[-l][rwxsStT-]{9}[.+@]?\s+\d+\s+\S+\s+\S+\s+(?<size>\d{1,19})\s+\S+\s+\S+\s+\S+\s+(?<name>.+?)(?:\s+->\s+.*)?$", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex LongListing();
}
