using System.Security.Cryptography;

namespace AgentGuard.Audit;

/// <summary>The hash chain: each record carries the SHA-256 of the line before it.</summary>
public static class AuditChain
{
    /// <summary>The <c>prev</c> of the very first record.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>The segment file name pattern.</summary>
    public const string SegmentPattern = "audit-*.jsonl";

    /// <summary>The hash the next record carries: SHA-256 of this record's line, without its newline, as lowercase hex.</summary>
    public static string Hash(ReadOnlySpan<byte> line) => Convert.ToHexStringLower(SHA256.HashData(line));

    /// <summary>The file name of segment <paramref name="index"/>.</summary>
    public static string SegmentName(int index) => $"audit-{index:D6}.jsonl";

    /// <summary>The segment files under <paramref name="directory"/>, in chain order.</summary>
    public static string[] Segments(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var files = Directory.GetFiles(directory, SegmentPattern);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }
}
