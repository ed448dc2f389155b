using System.Buffers;
using System.Text;

namespace AgentGuard.Effects;

/// <summary>
/// The one place where resource names become canonical URIs. Rules only ever see its output, so
/// anything an agent could use to disguise a name (percent-encoding, <c>.</c> and <c>..</c>
/// segments, repeated slashes, backslashes, Unicode compatibility forms) is resolved here.
/// </summary>
/// <remarks>
/// Percent-decoding runs exactly once: <c>%252e</c> becomes the literal text <c>%2e</c>, never
/// <c>.</c>, so a doubly encoded name cannot be resolved differently by the guard and by a tool
/// that decodes once. Case is kept; assets choose case-insensitive matching.
/// </remarks>
public static class ResourceCanonicalizer
{
    /// <summary>The longest resource name accepted, in characters.</summary>
    public const int MaxLength = 4096;

    // The canonical form is at most "file://" and a leading '/' longer than the decoded name: '.',
    // '..' and '//' only ever shorten it, and a trailing '/' replaces a trailing "/." or "/..".
    private const int MaxGrowth = 8;

    private const int StackLength = 256;

    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(ControlCharacterList());

    /// <summary>Canonicalises <paramref name="raw"/>, a URI (<c>scheme://...</c>) or a bare path (taken as <c>file://</c>).</summary>
    /// <returns>The canonical URI, or <see langword="null"/> with <paramref name="error"/> set when the name cannot be understood.</returns>
    public static string? Canonicalize(string raw, out string? error)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (raw.Length > MaxLength)
        {
            error = $"resource name is longer than {MaxLength} characters";
            return null;
        }

        var decoded = PercentDecodeOnce(raw, out error);
        if (decoded is null)
        {
            return null;
        }

        // A lone surrogate is not text any tool reads as we would, and Normalize throws on it.
        if (decoded.AsSpan().ContainsAnyInRange('\ud800', '\udfff') && !IsValidUtf16(decoded))
        {
            error = "resource name is not valid Unicode text";
            return null;
        }

        if (!decoded.IsNormalized(NormalizationForm.FormKC))
        {
            decoded = decoded.Normalize(NormalizationForm.FormKC);
        }

        if (decoded.AsSpan().ContainsAny(ControlCharacters))
        {
            error = "resource name contains a control character";
            return null;
        }

        decoded = decoded.Replace('\\', '/');

        char[]? rented = null;
        var buffer = decoded.Length + MaxGrowth <= StackLength
            ? stackalloc char[StackLength]
            : (rented = ArrayPool<char>.Shared.Rent(decoded.Length + MaxGrowth));
        try
        {
            var canonical = buffer[..Write(decoded, buffer)];

            // Most names arrive canonical already (every resource of the benchmark calls does):
            // returning the name itself saves a copy per resource.
            return canonical.SequenceEqual(decoded) ? decoded : new string(canonical);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Writes the canonical form of <paramref name="decoded"/> to <paramref name="destination"/>; returns its length.</summary>
    private static int Write(string decoded, Span<char> destination)
    {
        var schemeEnd = SchemeEnd(decoded);
        if (schemeEnd < 0)
        {
            "file://".CopyTo(destination);
            return 7 + NormalizePath(decoded, rooted: true, destination[7..]);
        }

        // SchemeEnd admits only ASCII letters, digits, '+', '-' and '.'.
        Ascii.ToLower(decoded.AsSpan(0, schemeEnd), destination, out _);
        var scheme = destination[..schemeEnd];
        "://".CopyTo(destination[schemeEnd..]);
        var written = schemeEnd + 3;
        var rest = decoded.AsSpan(written);
        if (scheme.SequenceEqual("file"))
        {
            return written + NormalizePath(rest, rooted: true, destination[written..]);
        }

        return written + (scheme.SequenceEqual("config")
            ? WriteConfig(rest, destination[written..])
            : WriteWithAuthority(rest, destination[written..]));
    }

    private static int WriteConfig(ReadOnlySpan<char> rest, Span<char> destination)
    {
        var hash = rest.IndexOf('#');
        var written = NormalizePath(hash < 0 ? rest : rest[..hash], rooted: false, destination);
        if (hash >= 0)
        {
            destination[written++] = '#';
            var key = rest[(hash + 1)..].Trim();
            key.CopyTo(destination[written..]);
            written += key.Length;
        }

        return written;
    }

    private static int WriteWithAuthority(ReadOnlySpan<char> rest, Span<char> destination)
    {
        var slash = rest.IndexOf('/');
        var authority = (slash < 0 ? rest : rest[..slash]).Trim().TrimEnd('.');
        var written = authority.ToLowerInvariant(destination);
        if (slash < 0)
        {
            destination[written++] = '/';
            return written;
        }

        return written + NormalizePath(rest[slash..], rooted: true, destination[written..]);
    }

    private static int SchemeEnd(string value)
    {
        var index = value.IndexOf("://", StringComparison.Ordinal);
        if (index <= 0)
        {
            return -1;
        }

        for (var i = 0; i < index; i++)
        {
            var c = value[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            {
                return -1;
            }
        }

        return char.IsAsciiLetter(value[0]) ? index : -1;
    }

    /// <summary>Resolves <c>.</c>, <c>..</c> (never above the root) and empty segments of <paramref name="path"/> into <paramref name="destination"/>.</summary>
    /// <returns>The length written.</returns>
    internal static int NormalizePath(ReadOnlySpan<char> path, bool rooted, Span<char> destination)
    {
        var root = rooted ? 1 : 0;
        if (rooted)
        {
            destination[0] = '/';
        }

        // The kept segments, joined by '/', are destination[root..written]; a segment never holds a '/'.
        var written = root;
        var kept = 0;
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (segment.IsEmpty || segment is ".")
            {
                continue;
            }

            if (segment is "..")
            {
                if (kept > 0)
                {
                    kept--;
                    var last = destination[root..written].LastIndexOf('/');
                    written = last < 0 ? root : root + last;
                }

                continue;
            }

            if (kept++ > 0)
            {
                destination[written++] = '/';
            }

            segment.CopyTo(destination[written..]);
            written += segment.Length;
        }

        if (kept > 0 && (path.EndsWith('/') || path.EndsWith("/.", StringComparison.Ordinal) || path.EndsWith("/..", StringComparison.Ordinal)))
        {
            destination[written++] = '/';
        }

        return written;
    }

    private static string? PercentDecodeOnce(string raw, out string? error)
    {
        error = null;
        if (raw.IndexOf('%') < 0)
        {
            return raw;
        }

        var maxBytes = Encoding.UTF8.GetMaxByteCount(raw.Length);
        var rented = ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            var source = Encoding.UTF8.GetBytes(raw, rented);
            var written = 0;
            for (var i = 0; i < source; i++)
            {
                var b = rented[i];
                if (b == (byte)'%' && i + 2 < source && IsHex(rented[i + 1]) && IsHex(rented[i + 2]))
                {
                    rented[written++] = (byte)((HexValue(rented[i + 1]) << 4) | HexValue(rented[i + 2]));
                    i += 2;
                }
                else
                {
                    rented[written++] = b;
                }
            }

            var span = rented.AsSpan(0, written);
            if (!System.Text.Unicode.Utf8.IsValid(span))
            {
                error = "resource name decodes to invalid UTF-8";
                return null;
            }

            return Encoding.UTF8.GetString(span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool IsValidUtf16(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(text, out _, out var consumed) != OperationStatus.Done)
            {
                return false;
            }

            text = text[consumed..];
        }

        return true;
    }

    /// <summary>Every character <see cref="char.IsControl(char)"/> accepts, for one vectorised search.</summary>
    private static string ControlCharacterList()
    {
        var list = new StringBuilder();
        for (var c = char.MinValue; c < char.MaxValue; c++)
        {
            if (char.IsControl(c))
            {
                list.Append(c);
            }
        }

        return list.ToString();
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    /// <summary>
    /// Whether <see cref="Canonicalize"/> would return <paramref name="resource"/>
    /// (a <c>file://</c> or <c>host://</c> name) as it is: printable ASCII without <c>%</c> or <c>\</c>
    /// (nothing to decode, fold or refuse), a lower-case authority, and a path without empty,
    /// <c>.</c> or <c>..</c> segments. The analyser's names are so already (its paths are
    /// normalised when made), and the check costs less than a second normalisation.
    /// </summary>
    internal static bool IsCanonical(string resource)
    {
        if (resource.Length > MaxLength || resource.AsSpan().ContainsAnyExcept(CanonicalCharacters))
        {
            return false;
        }

        // "file://" or "host://" (the caller checks): the authority runs to the path's first slash.
        var rest = resource.AsSpan(7);
        var slash = rest.IndexOf('/');
        if (slash < 0 || (slash > 0 && resource[0] == 'f'))
        {
            // A file name's path starts after "file://" (the canonicaliser would read "file://x/y" as "/x/y").
            return false;
        }

        var authority = rest[..slash];
        if (authority.ContainsAnyInRange('A', 'Z') || authority.EndsWith('.'))
        {
            return false;
        }

        return Shell.ShellPaths.IsNormal(rest[slash..]);
    }

    /// <summary>Printable ASCII but <c>%</c> (percent-decoding) and <c>\</c> (a separator to the canonicaliser); no space (authorities are trimmed).</summary>
    private static readonly SearchValues<char> CanonicalCharacters = SearchValues.Create(
        "!\"#$&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");
}
