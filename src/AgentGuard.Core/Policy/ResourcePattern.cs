using AgentGuard.Effects;

namespace AgentGuard.Policy;

/// <summary>
/// Resource patterns, the names an effect carries with <see cref="EffectFlags.ResourcePattern"/>
/// (a glob in a shell operand, a relative path under an unknown folder): shell glob syntax over
/// canonical URIs. <c>*</c> matches within a path segment, <c>**</c> across segments (<c>**/</c>
/// also matches nothing), <c>?</c> one character but <c>/</c>, <c>[...]</c> one character of a
/// bracket expression (ranges, <c>[!...]</c> or <c>[^...]</c> negation, <c>[[:alpha:]]</c> classes),
/// and <c>\</c> makes the next character literal.
/// </summary>
/// <remarks>
/// Where the shell's meaning depends on things the guard cannot see, the pattern means more, never
/// less, so that an asset it could reach is never missed:
/// <list type="bullet">
/// <item>The shell's rule that <c>*</c>, <c>?</c> and brackets do not match a leading <c>.</c> is not
/// applied (a pattern may match dotfiles: <c>dotglob</c> may be set, and <c>.*</c> reaches them anyway).</item>
/// <item>Classes are exact over ASCII; beyond ASCII they depend on the locale, so every non-ASCII
/// character is taken to be in every class, and <c>[=c=]</c> to be <c>c</c> or any non-ASCII character.</item>
/// <item>A run of stars of two or more is <c>**</c> (bash's <c>globstar</c>), wherever it stands in a segment.</item>
/// </list>
/// A bracket expression never matches <c>/</c> (the shell matches each path segment alone), and one
/// that names <c>/</c>, or is never closed, is a literal <c>[</c>: bash splits the pattern at the
/// slash first, so its brackets are text.
/// </remarks>
internal static class ResourcePattern
{
    /// <summary>Compiles <paramref name="pattern"/>; a pattern too large compiles to <see cref="GlobAutomaton.Everything"/>.</summary>
    public static GlobAutomaton ToAutomaton(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var builder = new GlobAutomaton.Builder();
        var state = builder.AddState();
        for (var i = 0; i < pattern.Length && !builder.Overflowed; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '\\' when i + 1 < pattern.Length:
                    i++;
                    state = builder.Then(state, CharSet.Single(pattern[i]));
                    break;
                case '*' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                    while (i + 1 < pattern.Length && pattern[i + 1] == '*')
                    {
                        i++;
                    }

                    if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                    {
                        i++;
                        state = builder.ThenAnySegments(state);
                    }
                    else
                    {
                        state = builder.ThenRepeat(state, CharSet.Any);
                    }

                    break;
                case '*':
                    state = builder.ThenRepeat(state, CharSet.AnyButSlash);
                    break;
                case '?':
                    state = builder.Then(state, CharSet.AnyButSlash);
                    break;
                case '[' when TryReadBracket(pattern, i, out var set, out var end):
                    state = builder.Then(state, set);
                    i = end;
                    break;
                default:
                    state = builder.Then(state, CharSet.Single(c));
                    break;
            }
        }

        builder.Accept(state);
        return builder.Build();
    }

    /// <summary>
    /// Whether <paramref name="pattern"/>'s path starts with <c>/**/</c>: a name in a folder that is
    /// not known, as the shell analyser writes a relative path when the shell's directory is unknown.
    /// </summary>
    public static bool HasUnknownFolder(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var separator = pattern.IndexOf("://", StringComparison.Ordinal);
        if (separator < 0)
        {
            return false;
        }

        var path = pattern.AsSpan(separator + 3);
        var slash = path.IndexOf('/');
        return slash >= 0 && path[slash..].StartsWith("/**/", StringComparison.Ordinal);
    }

    /// <summary>
    /// Whether the scheme or authority of <paramref name="pattern"/> is itself a pattern (or the
    /// pattern has none), so that which host it names is unknown.
    /// </summary>
    public static bool AuthorityIsPattern(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var separator = pattern.IndexOf("://", StringComparison.Ordinal);
        if (separator < 0)
        {
            return true;
        }

        var authorityEnd = pattern.AsSpan(separator + 3).IndexOfAny('/', '#');
        var prefix = authorityEnd < 0 ? pattern.AsSpan() : pattern.AsSpan(0, separator + 3 + authorityEnd);
        return prefix.IndexOfAny("*?[\\") >= 0;
    }

    /// <summary>
    /// Whether a copy, move or egress effect leaves the host its resource is on, as
    /// <see cref="EffectExtractor.CrossesHost"/> decides it for names; a pattern whose host is itself
    /// a pattern could be any host, so it crosses (fail closed).
    /// </summary>
    public static bool CrossesHost(Effect effect)
    {
        ArgumentNullException.ThrowIfNull(effect);
        if (effect.Destination is not null
            && (((effect.Flags & EffectFlags.ResourcePattern) != 0 && AuthorityIsPattern(effect.Resource))
                || ((effect.Flags & EffectFlags.DestinationPattern) != 0 && AuthorityIsPattern(effect.Destination))))
        {
            return true;
        }

        return EffectExtractor.CrossesHost(effect);
    }

    // Reads the bracket expression opening at pattern[start]; end is the index of its closing ']'.
    private static bool TryReadBracket(string pattern, int start, out CharSet set, out int end)
    {
        set = CharSet.AnyButSlash;
        end = start;
        var i = start + 1;
        var negated = i < pattern.Length && pattern[i] is '!' or '^';
        if (negated)
        {
            i++;
        }

        var ranges = new List<(char Low, char High)>();
        var first = true;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            if (c == ']' && !first)
            {
                end = i;
                var members = CharSet.FromRanges(ranges);
                set = (negated ? members.Complement() : members).WithoutSlash();
                return true;
            }

            first = false;
            if (c == '[' && i + 1 < pattern.Length && pattern[i + 1] is ':' or '=' or '.'
                && pattern.IndexOf(string.Concat(pattern[i + 1].ToString(), "]"), i + 2, StringComparison.Ordinal) is var close and >= 0)
            {
                var name = pattern.AsSpan(i + 2, close - (i + 2));
                if (name.Contains('/'))
                {
                    return false;
                }

                AddNamed(ranges, pattern[i + 1], name);
                i = close + 2;
                continue;
            }

            var low = c;
            if (c == '\\' && i + 1 < pattern.Length)
            {
                low = pattern[++i];
            }

            if (low == '/')
            {
                return false;
            }

            i++;
            if (i + 1 < pattern.Length && pattern[i] == '-' && pattern[i + 1] != ']')
            {
                var high = pattern[i + 1];
                i += 2;
                if (high == '\\' && i < pattern.Length)
                {
                    high = pattern[i++];
                }

                if (high == '/')
                {
                    return false;
                }

                // A reversed range is empty in bash; taking both ends' span instead can only match more.
                ranges.Add(low <= high ? (low, high) : (high, low));
            }
            else
            {
                ranges.Add((low, low));
            }
        }

        return false;
    }

    private static void AddNamed(List<(char Low, char High)> ranges, char kind, ReadOnlySpan<char> name)
    {
        if (kind != ':')
        {
            // [=c=] and [.c.]: the character itself (and, for an equivalence class, whatever the locale
            // calls equivalent beyond ASCII); a longer name is a locale's collating element: anything.
            if (name.Length == 1)
            {
                ranges.Add((name[0], name[0]));
                if (kind == '=')
                {
                    ranges.Add(('\u0080', char.MaxValue));
                }
            }
            else
            {
                ranges.Add(('\0', char.MaxValue));
            }

            return;
        }

        Func<char, bool>? member = name switch
        {
            "alpha" => char.IsAsciiLetter,
            "digit" => char.IsAsciiDigit,
            "alnum" => char.IsAsciiLetterOrDigit,
            "upper" => char.IsAsciiLetterUpper,
            "lower" => char.IsAsciiLetterLower,
            "xdigit" => char.IsAsciiHexDigit,
            "space" => static c => c is ' ' or >= '\t' and <= '\r',
            "blank" => static c => c is ' ' or '\t',
            "punct" => static c => c is > ' ' and < '\u007f' && !char.IsAsciiLetterOrDigit(c),
            "graph" => static c => c is > ' ' and < '\u007f',
            "print" => static c => c is >= ' ' and < '\u007f',
            "cntrl" => static c => c is < ' ' or '\u007f',
            "word" => static c => char.IsAsciiLetterOrDigit(c) || c == '_',
            _ => null,
        };

        if (member is null)
        {
            // An unknown class: bash matches nothing with it, another shell may differ; anything is safe.
            ranges.Add(('\0', char.MaxValue));
            return;
        }

        for (var c = '\0'; c < '\u0080'; c++)
        {
            if (member(c))
            {
                ranges.Add((c, c));
            }
        }

        ranges.Add(('\u0080', char.MaxValue));
    }
}
