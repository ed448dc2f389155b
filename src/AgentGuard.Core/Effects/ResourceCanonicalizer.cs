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

        foreach (var c in decoded)
        {
            if (char.IsControl(c))
            {
                error = "resource name contains a control character";
                return null;
            }
        }

        decoded = decoded.Replace('\\', '/');

        var schemeEnd = SchemeEnd(decoded);
        if (schemeEnd < 0)
        {
            return "file://" + NormalizePath(decoded, rooted: true);
        }

        var scheme = decoded[..schemeEnd].ToLowerInvariant();
        var rest = decoded[(schemeEnd + 3)..];
        return scheme switch
        {
            "file" => "file://" + NormalizePath(rest, rooted: true),
            "config" => CanonicalizeConfig(rest),
            _ => CanonicalizeWithAuthority(scheme, rest),
        };
    }

    private static string CanonicalizeConfig(string rest)
    {
        var hash = rest.IndexOf('#');
        var path = hash < 0 ? rest : rest[..hash];
        var normalized = NormalizePath(path, rooted: false);
        return hash < 0 ? "config://" + normalized : "config://" + normalized + "#" + rest[(hash + 1)..].Trim();
    }

    private static string CanonicalizeWithAuthority(string scheme, string rest)
    {
        var slash = rest.IndexOf('/');
        var authority = (slash < 0 ? rest : rest[..slash]).Trim().TrimEnd('.').ToLowerInvariant();
        var path = slash < 0 ? "/" : NormalizePath(rest[slash..], rooted: true);
        return scheme + "://" + authority + path;
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

    /// <summary>Resolves <c>.</c>, <c>..</c> (never above the root) and empty segments.</summary>
    internal static string NormalizePath(string path, bool rooted)
    {
        var segments = path.Split('/');
        var kept = new List<string>(segments.Length);
        foreach (var segment in segments)
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (kept.Count > 0)
                {
                    kept.RemoveAt(kept.Count - 1);
                }

                continue;
            }

            kept.Add(segment);
        }

        var trailingSlash = kept.Count > 0 && (path.EndsWith('/') || path.EndsWith("/.", StringComparison.Ordinal) || path.EndsWith("/..", StringComparison.Ordinal));
        var joined = string.Join('/', kept);
        if (trailingSlash)
        {
            joined += "/";
        }

        return rooted ? "/" + joined : joined;
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

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
