namespace AgentGuard.Effects.Shell;

/// <summary>
/// Matches shell glob patterns (<c>*</c>, <c>?</c>, <c>[...]</c>, <c>\</c> before a literal
/// character) against known text, for <c>${x#pattern}</c>, <c>${x/pattern/...}</c> and <c>case</c>.
/// Iterative with one backtrack point per <c>*</c>, so O(pattern × text), never exponential.
/// </summary>
internal static class ShellPattern
{
    /// <summary>Whether <paramref name="pattern"/> matches all of <paramref name="text"/>.</summary>
    public static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, starP = -1, starT = -1;
        while (t < text.Length)
        {
            if (p < pattern.Length)
            {
                var c = pattern[p];
                if (c == '*')
                {
                    starP = ++p;
                    starT = t;
                    continue;
                }

                if (c == '?')
                {
                    p++;
                    t++;
                    continue;
                }

                if (c == '[' && MatchClass(pattern, p, text[t], out var next))
                {
                    if (next > 0)
                    {
                        p = next;
                        t++;
                        continue;
                    }
                }
                else
                {
                    var literal = c;
                    var width = 1;
                    if (c == '\\' && p + 1 < pattern.Length)
                    {
                        literal = pattern[p + 1];
                        width = 2;
                    }

                    if (literal == text[t])
                    {
                        p += width;
                        t++;
                        continue;
                    }
                }
            }

            if (starP < 0)
            {
                return false;
            }

            p = starP;
            t = ++starT;
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>Whether the pattern holds glob syntax at all.</summary>
    public static bool IsPattern(ReadOnlySpan<char> pattern) => pattern.IndexOfAny("*?[\\") >= 0;

    /// <summary>
    /// Reads the bracket expression at <paramref name="open"/>. Returns false when it is not one
    /// (no closing bracket: the <c>[</c> is literal); otherwise <paramref name="next"/> is the index
    /// after it when <paramref name="c"/> is in the class, 0 when it is not.
    /// </summary>
    private static bool MatchClass(ReadOnlySpan<char> pattern, int open, char c, out int next)
    {
        next = 0;
        var i = open + 1;
        var negate = false;
        if (i < pattern.Length && pattern[i] is '!' or '^')
        {
            negate = true;
            i++;
        }

        var matched = false;
        var first = true;
        while (i < pattern.Length)
        {
            var x = pattern[i];
            if (x == ']' && !first)
            {
                next = matched != negate ? i + 1 : 0;
                return true;
            }

            first = false;
            if (x == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':')
            {
                var close = pattern[(i + 2)..].IndexOf(":]");
                if (close >= 0)
                {
                    matched |= InNamedClass(pattern.Slice(i + 2, close), c);
                    i += close + 4;
                    continue;
                }
            }

            if (x == '\\' && i + 1 < pattern.Length)
            {
                x = pattern[++i];
            }

            if (i + 2 < pattern.Length && pattern[i + 1] == '-' && pattern[i + 2] != ']')
            {
                var high = pattern[i + 2];
                matched |= c >= x && c <= high;
                i += 3;
                continue;
            }

            matched |= c == x;
            i++;
        }

        return false;
    }

    private static bool InNamedClass(ReadOnlySpan<char> name, char c) => name switch
    {
        "alpha" => char.IsLetter(c),
        "digit" => char.IsAsciiDigit(c),
        "alnum" => char.IsLetterOrDigit(c),
        "upper" => char.IsUpper(c),
        "lower" => char.IsLower(c),
        "space" => char.IsWhiteSpace(c),
        "blank" => c is ' ' or '\t',
        "punct" => char.IsPunctuation(c) || char.IsSymbol(c),
        "xdigit" => char.IsAsciiHexDigit(c),
        "cntrl" => char.IsControl(c),
        "print" => !char.IsControl(c),
        "graph" => !char.IsControl(c) && c != ' ',
        _ => false,
    };
}
