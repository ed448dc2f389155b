using System.Buffers;

namespace AgentGuard.Effects.Shell;

/// <summary>
/// Turns shell words into canonical resources: <c>file:///abs</c> on the shell's own machine,
/// <c>host://HOST/abs</c> on another host, <c>**/rel</c> patterns where the directory is unknown,
/// lexically normalised.
/// </summary>
internal static class ShellPaths
{
    private static readonly SearchValues<char> GlobCharacters = SearchValues.Create("*?[]()\\");

    /// <summary>Resolves a path word on <paramref name="host"/> (empty: the guard's machine) against <paramref name="cwd"/>.</summary>
    public static ShellResource Resolve(string host, ShellWord word, string? cwd)
        => Resolve(host, word.Text, word.IsPattern, word.IsOpaque, cwd);

    public static ShellResource Resolve(string host, string text, bool pattern, bool opaque, string? cwd)
    {
        if (text.Length == 0)
        {
            return default;
        }

        if (opaque && pattern)
        {
            text = WidenUnknown(text);
        }

        string path;
        if (text[0] == '/')
        {
            path = text;
        }
        else if (text[0] == '~')
        {
            // The home directory is not known statically: any directory.
            var slash = text.IndexOf('/');
            path = slash < 0 ? "/**" : "/**" + (pattern ? text[slash..] : Escape(text[slash..]));
            pattern = true;
        }
        else if (cwd is not null && cwd.Length > 0 && cwd[0] == '/')
        {
            if (!pattern && cwd.Length + text.Length < 256)
            {
                // The usual relative name: joined on the stack, not in a string only Compose reads.
                Span<char> joined = stackalloc char[cwd.Length + 1 + text.Length];
                cwd.CopyTo(joined);
                joined[cwd.Length] = '/';
                text.CopyTo(joined[(cwd.Length + 1)..]);
                return new ShellResource(Compose(host, joined), pattern, opaque);
            }

            path = string.Concat(pattern ? Escape(cwd) : cwd, "/", text);
        }
        else
        {
            var relative = StripLeadingDots(pattern ? text : Escape(text));
            path = relative.StartsWith("**", StringComparison.Ordinal) ? "/" + relative : "/**/" + relative;
            pattern = true;
        }

        return new ShellResource(Compose(host, path), pattern, opaque);
    }

    /// <summary>A path on <paramref name="host"/> relative to the remote home (unknown) unless absolute.</summary>
    public static ShellResource ResolveRemote(string host, string path, bool pattern, bool opaque)
    {
        // The remote shell expands globs in a remote path, quoted locally or not.
        if (!pattern && path.AsSpan().IndexOfAny('*', '?', '[') >= 0)
        {
            pattern = true;
        }

        if (path.Length == 0)
        {
            return new ShellResource(Compose(host, "/**"), true, opaque);
        }

        return Resolve(host, path, pattern, opaque, cwd: null);
    }

    /// <summary><c>file://</c> or <c>host://HOST</c> followed by the normalised path.</summary>
    public static string Compose(string host, string path) => Compose(host, path.AsSpan());

    private static string Compose(string host, ReadOnlySpan<char> path)
    {
        var prefix = host.Length == 0 ? "file://" : "host://";
        var length = prefix.Length + host.Length + path.Length + 2;
        char[]? rented = null;
        // Sized to the path, not a fixed 512: a stack buffer is zeroed whole on every call.
        var buffer = length <= 512 ? stackalloc char[length] : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            prefix.CopyTo(buffer);
            var written = prefix.Length;
            host.AsSpan().CopyTo(buffer[written..]);
            written += host.Length;
            if (IsNormal(path))
            {
                // Most paths are normal already (the normaliser would copy them as they are).
                path.CopyTo(buffer[written..]);
                written += path.Length;
            }
            else
            {
                written += ResourceCanonicalizer.NormalizePath(path, rooted: true, buffer[written..]);
            }

            if (buffer[written - 1] == '/' && buffer[written - 2] != '/')
            {
                written--;
            }

            // "/**/**" matches what "/**" matches.
            var result = buffer[..written];
            int repeated;
            while (result.Contains('*') && (repeated = result.IndexOf("/**/**")) >= 0 && (repeated + 6 == result.Length || result[repeated + 6] == '/'))
            {
                result[(repeated + 3)..].CopyTo(result[repeated..]);
                result = result[..^3];
            }

            return new string(result);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Whether <see cref="ResourceCanonicalizer.NormalizePath"/> (rooted) would write <paramref name="path"/>
    /// as it is: it starts with <c>/</c> and has no empty, <c>.</c> or <c>..</c> segment (a trailing
    /// <c>/</c> is kept).
    /// </summary>
    public static bool IsNormal(ReadOnlySpan<char> path)
    {
        if (path.IsEmpty || path[0] != '/')
        {
            return false;
        }

        var slash = 0;
        while (true)
        {
            // path[slash] is a '/': look at the segment after it.
            var next = slash + 1;
            if (next < path.Length)
            {
                var c = path[next];
                if (c == '/')
                {
                    return false;
                }

                if (c == '.')
                {
                    var end = next + 1;
                    if (end < path.Length && path[end] == '.')
                    {
                        end++;
                    }

                    if (end == path.Length || path[end] == '/')
                    {
                        return false;
                    }
                }
            }

            var following = path[next..].IndexOf('/');
            if (following < 0)
            {
                return true;
            }

            slash = next + following;
        }
    }

    /// <summary>
    /// Whether <paramref name="resource"/> may name a folder. A name whose last segment ends in a file
    /// extension (<c>q4.xlsx</c>, <c>report.csv</c>) is taken for a file, so that a recursive copy of one
    /// named file (<c>rsync -a q4.xlsx host:</c>) is not read as everything under it; <c>.d</c>
    /// (<c>/etc/cron.d</c>, <c>sudoers.d</c>) and names with glob characters still may be folders.
    /// </summary>
    public static bool MayBeDirectory(ShellResource resource)
    {
        var name = LastSegment(resource.Uri);
        var dot = name.LastIndexOf('.');
        if (name.IsEmpty || dot <= 0 || (resource.Pattern && name.IndexOfAny("*?[\\") >= 0))
        {
            return true;
        }

        var extension = name[(dot + 1)..];
        if (extension.Length is < 2 or > 5 || extension is "d")
        {
            return true;
        }

        foreach (var c in extension)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The pattern for everything under <paramref name="resource"/> (<c>dir/**</c>).</summary>
    public static ShellResource Under(ShellResource resource)
    {
        var uri = resource.Uri;
        if (resource.Pattern && uri.EndsWith("/**", StringComparison.Ordinal))
        {
            return resource;
        }

        var escaped = resource.Pattern ? uri : EscapePath(uri);
        return new ShellResource(escaped.EndsWith('/') ? escaped + "**" : escaped + "/**", true, resource.Opaque);
    }

    /// <summary><paramref name="directory"/> joined with the last segment of <paramref name="source"/> (where a copy lands).</summary>
    public static ShellResource Landing(ShellResource directory, ShellResource source)
    {
        var name = LastSegment(source.Uri);
        if (name.Length == 0)
        {
            // A source of unknown name lands anywhere under the directory.
            return source.Uri.EndsWith("**", StringComparison.Ordinal) ? Under(directory) with { Opaque = directory.Opaque || source.Opaque } : directory;
        }

        var pattern = directory.Pattern || source.Pattern;
        var dir = directory.Pattern || !pattern ? directory.Uri : EscapePath(directory.Uri);
        var segment = source.Pattern || !pattern ? name : Escape(name.ToString());
        return new ShellResource(string.Concat(dir.AsSpan().TrimEnd('/'), "/", segment), pattern, directory.Opaque || source.Opaque);
    }

    public static ReadOnlySpan<char> LastSegment(string uri)
    {
        var span = uri.AsSpan().TrimEnd('/');
        var slash = span.LastIndexOf('/');
        var segment = slash < 0 ? span : span[(slash + 1)..];
        return segment is "**" || span.EndsWith(":/") ? default : segment;
    }

    /// <summary><paramref name="directory"/> (a path word's text) joined with a pattern below it, as pattern text.</summary>
    public static string Below(ShellWord directory, string pattern)
        => string.Concat((directory.IsPattern ? directory.Text : Escape(directory.Text)).TrimEnd('/'), "/", pattern);

    /// <summary>Whether <paramref name="text"/> looks like a path: it has a slash or a dot-extension.</summary>
    public static bool LooksLikePath(string text)
    {
        if (text.Length == 0 || text.Length > 1024 || text.Contains("://", StringComparison.Ordinal))
        {
            return false;
        }

        if (text.Contains('/'))
        {
            return true;
        }

        var dot = text.LastIndexOf('.');
        if (dot <= 0 || dot == text.Length - 1 || text.Length - dot > 16)
        {
            return false;
        }

        var hasLetter = false;
        for (var i = dot + 1; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '*' && c != '?')
            {
                return false;
            }

            hasLetter |= char.IsAsciiLetter(c);
        }

        for (var i = 0; i < dot; i++)
        {
            if (char.IsWhiteSpace(text[i]) || text[i] is '=' or '(' or ')' or ',' or ';' or '{' or '}')
            {
                return false;
            }
        }

        return hasLetter;
    }

    /// <summary>
    /// In a word with unknown parts, a <c>*</c> standing for a whole segment may stand for several
    /// (an unset <c>$DIR</c> may hold <c>/data</c> or nothing): it becomes <c>**</c>.
    /// </summary>
    private static string WidenUnknown(string text)
    {
        if (!text.Contains('*'))
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length + 4);
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (ch == '\\' && i + 1 < text.Length)
            {
                builder.Append(ch).Append(text[++i]);
                continue;
            }

            var segmentStart = i == 0 || text[i - 1] == '/';
            var segmentEnd = i + 1 == text.Length || text[i + 1] == '/';
            builder.Append(ch == '*' && segmentStart && segmentEnd ? "**" : ch.ToString());
        }

        return builder.ToString();
    }

    /// <summary>Backslash before every glob metacharacter, so a literal name can sit in a pattern.</summary>
    public static string Escape(string text)
    {
        if (text.AsSpan().IndexOfAny(GlobCharacters) < 0)
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (GlobCharacters.Contains(c))
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>As <see cref="Escape"/>, keeping the URI's scheme and authority as they are.</summary>
    private static string EscapePath(string uri)
    {
        var start = uri.IndexOf("://", StringComparison.Ordinal);
        if (start < 0)
        {
            return Escape(uri);
        }

        var slash = uri.IndexOf('/', start + 3);
        if (slash < 0 || uri.AsSpan(slash).IndexOfAny(GlobCharacters) < 0)
        {
            return uri;
        }

        return string.Concat(uri.AsSpan(0, slash), Escape(uri[slash..]));
    }

    private static string StripLeadingDots(string text)
    {
        var span = text.AsSpan();
        while (true)
        {
            if (span.StartsWith("./"))
            {
                span = span[2..];
            }
            else if (span.StartsWith("../"))
            {
                span = span[3..];
            }
            else if (span is "." or "..")
            {
                span = default;
            }
            else
            {
                break;
            }
        }

        return span.Length == text.Length ? text : span.ToString();
    }
}
