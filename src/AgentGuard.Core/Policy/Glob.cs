using System.Text;
using System.Text.RegularExpressions;

namespace AgentGuard.Policy;

/// <summary>
/// Globs over canonical resource URIs: <c>*</c> matches within one path segment, <c>**</c> across
/// segments (and the scheme), <c>?</c> one character, <c>{a,b}</c> either alternative, and
/// <c>\</c> makes the next character literal (<c>\*</c> is a star in the name).
/// </summary>
internal static class Glob
{
    /// <summary>Builds the regular expression for <paramref name="pattern"/>.</summary>
    /// <remarks>
    /// Non-backtracking: patterns come from policy authors but the text matched comes from agents
    /// and can be a megabyte long, so matching must stay linear.
    /// </remarks>
    public static Regex ToRegex(string pattern, bool ignoreCase) => ToRegex([pattern], ignoreCase);

    /// <summary>Builds one regular expression that matches when any of <paramref name="patterns"/> does.</summary>
    /// <remarks>One alternation costs about a fifth of matching each pattern in turn (measured: 0.4 µs against 2 µs for five patterns).</remarks>
    public static Regex ToRegex(IEnumerable<string> patterns, bool ignoreCase)
    {
        var options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking | RegexOptions.Singleline;
        if (ignoreCase)
        {
            options |= RegexOptions.IgnoreCase;
        }

        var alternatives = new StringBuilder();
        foreach (var pattern in patterns)
        {
            alternatives.Append(alternatives.Length == 0 ? "^(?:" : "|").Append(Translate(pattern));
        }

        return new Regex(alternatives.Append(")$").ToString(), options);
    }

    /// <summary>
    /// Builds the automaton that matches when any of <paramref name="patterns"/> does, with the
    /// same meaning as <see cref="ToRegex(IEnumerable{string}, bool)"/>: what lets an asset be
    /// intersected with a resource pattern (see <see cref="ResourcePattern"/>).
    /// </summary>
    /// <param name="patterns">Valid globs (see <see cref="Validate"/>); an invalid one makes the automaton match everything.</param>
    /// <param name="ignoreCase">Whether a character also matches every character of its case class.</param>
    /// <param name="trailingSlashes">Whether each name may also be followed by any number of <c>/</c>, as <see cref="Asset.Contains"/> allows.</param>
    public static GlobAutomaton ToAutomaton(IEnumerable<string> patterns, bool ignoreCase, bool trailingSlashes = false)
    {
        var builder = new GlobAutomaton.Builder(GlobAutomaton.MaxPolicyStates);
        var start = builder.AddState();
        foreach (var pattern in patterns)
        {
            // As in ToRegex, an empty pattern matches the empty name (the loader refuses it anyway).
            if (pattern.Length != 0 && Validate(pattern) is not null)
            {
                return GlobAutomaton.Everything;
            }

            var first = builder.AddState();
            builder.AddEmpty(start, first);
            var end = AddPattern(builder, first, pattern, ignoreCase);
            builder.Accept(end);
            if (trailingSlashes)
            {
                builder.Accept(builder.ThenRepeat(end, CharSet.Single('/')));
            }

            if (builder.Overflowed)
            {
                return GlobAutomaton.Everything;
            }
        }

        return builder.Build();
    }

    /// <summary>Returns an error when <paramref name="pattern"/> is not a valid glob, otherwise <see langword="null"/>.</summary>
    public static string? Validate(string pattern)
    {
        if (pattern.Length == 0)
        {
            return "an empty pattern matches nothing";
        }

        var depth = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                i++;
                continue;
            }

            if (c == '{')
            {
                if (++depth > 1)
                {
                    return "nested '{' alternatives are not supported";
                }
            }
            else if (c == '}')
            {
                if (--depth < 0)
                {
                    return "'}' without a matching '{'";
                }
            }
        }

        return depth == 0 ? null : "'{' without a matching '}'";
    }

    // Mirrors Translate element by element; a {a,b} group is a fork whose branches meet at one state.
    private static int AddPattern(GlobAutomaton.Builder builder, int state, string pattern, bool ignoreCase)
    {
        var groupStart = -1;
        var groupEnd = -1;
        for (var i = 0; i < pattern.Length && !builder.Overflowed; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '\\' when i + 1 < pattern.Length:
                    i++;
                    state = builder.Then(state, Literal(pattern[i], ignoreCase));
                    break;
                case '*' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                    i++;
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
                case '{':
                    groupStart = state;
                    groupEnd = builder.AddState();
                    break;
                case '}' when groupStart >= 0:
                    builder.AddEmpty(state, groupEnd);
                    state = groupEnd;
                    groupStart = -1;
                    break;
                case ',' when groupStart >= 0:
                    builder.AddEmpty(state, groupEnd);
                    state = groupStart;
                    break;
                default:
                    state = builder.Then(state, Literal(c, ignoreCase));
                    break;
            }
        }

        return state;
    }

    private static CharSet Literal(char c, bool ignoreCase) => ignoreCase ? CharSet.IgnoringCase(c) : CharSet.Single(c);

    private static string Translate(string pattern)
    {
        var regex = new StringBuilder(pattern.Length * 2);
        var inAlternatives = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '\\' when i + 1 < pattern.Length:
                    i++;
                    regex.Append(Regex.Escape(pattern[i].ToString()));
                    break;
                case '*' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                    i++;
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                    {
                        i++;
                        regex.Append("(?:.*/)?");
                    }
                    else
                    {
                        regex.Append(".*");
                    }

                    break;
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '{':
                    inAlternatives = true;
                    regex.Append("(?:");
                    break;
                case '}' when inAlternatives:
                    inAlternatives = false;
                    regex.Append(')');
                    break;
                case ',' when inAlternatives:
                    regex.Append('|');
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return regex.ToString();
    }
}
