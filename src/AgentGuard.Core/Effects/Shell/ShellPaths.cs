using System.Buffers;

namespace AgentGuard.Effects.Shell;

/// <summary>
/// Turns shell words into canonical resources: <c>file:///abs</c> on the shell's own machine,
/// <c>host://HOST/abs</c> on another host, <c>**/rel</c> patterns where the directory is unknown,
/// lexically normalised.
/// </summary>
internal static class ShellPaths
{
    private static readonly SearchValues<char> GlobCharacters = SearchValues.Create("*?[]\\");

    /// <summary>Resolves a path word on <paramref name="host"/> (empty: the guard's machine) against <paramref name="cwd"/>.</summary>
    public static ShellResource Resolve(string host, ShellWord word, string? cwd)
        => Resolve(host, word.Text, word.IsPattern, word.IsOpaque, cwd);

    public static ShellResource Resolve(string host, string text, bool pattern, bool opaque, string? cwd)
    {
        if (text.Length == 0)
        {
            return default;
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
            path = string.Concat(pattern ? Escape(cwd) : cwd, "/", text);
        }
        else
        {
            path = string.Concat("/**/", StripLeadingDots(pattern ? text : Escape(text)));
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
    public static string Compose(string host, string path)
    {
        var prefix = host.Length == 0 ? "file://" : "host://";
        var length = prefix.Length + host.Length + path.Length + 2;
        char[]? rented = null;
        var buffer = length <= 512 ? stackalloc char[512] : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            prefix.CopyTo(buffer);
            var written = prefix.Length;
            host.AsSpan().CopyTo(buffer[written..]);
            written += host.Length;
            written += ResourceCanonicalizer.NormalizePath(path, rooted: true, buffer[written..]);
            if (buffer[written - 1] == '/' && buffer[written - 2] != '/')
            {
                written--;
            }

            return new string(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The pattern for everything under <paramref name="resource"/> (<c>dir/**</c>).</summary>
    public static ShellResource Under(ShellResource resource)
    {
        var uri = resource.Uri;
        var escaped = resource.Pattern ? uri : EscapePath(uri);
        return new ShellResource(escaped.EndsWith('/') ? escaped + "**" : escaped + "/**", true, resource.Opaque);
    }

    /// <summary><paramref name="directory"/> joined with the last segment of <paramref name="source"/> (where a copy lands).</summary>
    public static ShellResource Landing(ShellResource directory, ShellResource source)
    {
        var name = LastSegment(source.Uri);
        if (name.Length == 0)
        {
            return directory;
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
        return slash < 0 ? uri : string.Concat(uri.AsSpan(0, slash), Escape(uri[slash..]));
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
