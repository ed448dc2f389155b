namespace AgentGuard.Infrastructure;

/// <summary>
/// A second, independent reading of resource patterns (see <c>ResourcePattern</c>): a backtracking
/// matcher over the pattern text, the way a shell's <c>fnmatch</c> works, so that tests can check the
/// automata against something that does not share their code.
/// </summary>
/// <remarks>
/// The same meaning as the guard's: <c>*</c> and <c>?</c> stay within a segment, a run of two or more
/// stars crosses segments and <c>**/</c> may match nothing, brackets never match <c>/</c>, a bracket
/// naming <c>/</c> or left open is a literal <c>[</c>, classes are exact over ASCII and include every
/// non-ASCII character, leading dots are not special.
/// </remarks>
internal static class ShellGlobMatcher
{
    public static bool IsMatch(string pattern, string text)
    {
        var memo = new Dictionary<(int, int), bool>();
        return Match(pattern, 0, text, 0, memo);
    }

    private static bool Match(string p, int pi, string s, int si, Dictionary<(int, int), bool> memo)
    {
        if (memo.TryGetValue((pi, si), out var known))
        {
            return known;
        }

        var result = MatchUncached(p, pi, s, si, memo);
        memo[(pi, si)] = result;
        return result;
    }

    private static bool MatchUncached(string p, int pi, string s, int si, Dictionary<(int, int), bool> memo)
    {
        if (pi == p.Length)
        {
            return si == s.Length;
        }

        var c = p[pi];
        if (c == '*')
        {
            var stars = pi;
            while (stars < p.Length && p[stars] == '*')
            {
                stars++;
            }

            if (stars - pi >= 2)
            {
                if (stars < p.Length && p[stars] == '/')
                {
                    // Nothing at all, or anything that ends in a slash.
                    if (Match(p, stars + 1, s, si, memo))
                    {
                        return true;
                    }

                    for (var k = si; k < s.Length; k++)
                    {
                        if (s[k] == '/' && Match(p, stars + 1, s, k + 1, memo))
                        {
                            return true;
                        }
                    }

                    return false;
                }

                for (var k = si; k <= s.Length; k++)
                {
                    if (Match(p, stars, s, k, memo))
                    {
                        return true;
                    }
                }

                return false;
            }

            for (var k = si; k <= s.Length; k++)
            {
                if (Match(p, pi + 1, s, k, memo))
                {
                    return true;
                }

                if (k < s.Length && s[k] == '/')
                {
                    return false;
                }
            }

            return false;
        }

        if (si == s.Length)
        {
            return false;
        }

        switch (c)
        {
            case '?':
                return s[si] != '/' && Match(p, pi + 1, s, si + 1, memo);
            case '\\' when pi + 1 < p.Length:
                return s[si] == p[pi + 1] && Match(p, pi + 2, s, si + 1, memo);
            case '[':
                if (Bracket(p, pi) is { } bracket)
                {
                    return bracket.Member(s[si]) && Match(p, bracket.Next, s, si + 1, memo);
                }

                return s[si] == '[' && Match(p, pi + 1, s, si + 1, memo);
            default:
                return s[si] == c && Match(p, pi + 1, s, si + 1, memo);
        }
    }

    private static (Func<char, bool> Member, int Next)? Bracket(string p, int open)
    {
        var i = open + 1;
        var negated = false;
        if (i < p.Length && (p[i] == '!' || p[i] == '^'))
        {
            negated = true;
            i++;
        }

        var tests = new List<Func<char, bool>>();
        var start = i;
        while (i < p.Length)
        {
            if (p[i] == ']' && i > start)
            {
                var members = tests.ToArray();
                bool Any(char c) => Array.Exists(members, t => t(c));
                return (c => c != '/' && (negated ? !Any(c) : Any(c)), i + 1);
            }

            if (p[i] == '[' && i + 1 < p.Length && ":=.".Contains(p[i + 1], StringComparison.Ordinal))
            {
                var kind = p[i + 1];
                var close = p.IndexOf($"{kind}]", i + 2, StringComparison.Ordinal);
                if (close >= 0)
                {
                    var name = p[(i + 2)..close];
                    if (name.Contains('/', StringComparison.Ordinal))
                    {
                        return null;
                    }

                    tests.Add(Named(kind, name));
                    i = close + 2;
                    continue;
                }
            }

            var low = p[i];
            if (low == '\\' && i + 1 < p.Length)
            {
                low = p[++i];
            }

            i++;
            var high = low;
            if (i + 1 < p.Length && p[i] == '-' && p[i + 1] != ']')
            {
                high = p[i + 1];
                i += 2;
                if (high == '\\' && i < p.Length)
                {
                    high = p[i++];
                }
            }

            if (low == '/' || high == '/')
            {
                return null;
            }

            var (from, to) = low <= high ? (low, high) : (high, low);
            tests.Add(c => c >= from && c <= to);
        }

        return null;
    }

    private static Func<char, bool> Named(char kind, string name)
    {
        if (kind != ':')
        {
            if (name.Length != 1)
            {
                return _ => true;
            }

            var single = name[0];
            return kind == '=' ? c => c == single || c > '\u007f' : c => c == single;
        }

        Func<char, bool>? ascii = name switch
        {
            "alpha" => c => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z',
            "digit" => c => c is >= '0' and <= '9',
            "alnum" => c => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9',
            "upper" => c => c is >= 'A' and <= 'Z',
            "lower" => c => c is >= 'a' and <= 'z',
            "xdigit" => c => c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F',
            "space" => c => " \t\n\v\f\r".Contains(c, StringComparison.Ordinal),
            "blank" => c => c is ' ' or '\t',
            "punct" => c => "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".Contains(c, StringComparison.Ordinal),
            "graph" => c => c > ' ' && c < '\u007f',
            "print" => c => c >= ' ' && c < '\u007f',
            "cntrl" => c => c < ' ' || c == '\u007f',
            "word" => c => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_',
            _ => null,
        };

        return ascii is null ? _ => true : c => c > '\u007f' || ascii(c);
    }
}
