using System.Globalization;
using System.Text;
using static AgentGuard.Effects.Shell.ShellSyntax;

namespace AgentGuard.Effects.Shell;

/// <summary>
/// Brace expansion (<c>{a,b}</c>, <c>{1..3}</c>, <c>{a..e..2}</c>, nested, with prefix and suffix)
/// over a word's parts: only unquoted literal braces and commas are syntax. Bounded: past
/// <see cref="MaxWords"/> words the brace becomes an unknown part (a pattern matching anything),
/// and an error says so.
/// </summary>
internal static class ShellBraceExpansion
{
    public const int MaxWords = 1024;

    private const int MaxGroups = 64;

    private static readonly List<List<Atom>> TooMany = [];

    /// <summary>Whether the word may need brace expansion (an unquoted <c>{</c>).</summary>
    public static bool MayExpand(Word word)
    {
        foreach (var part in word.Parts)
        {
            if (part is Literal { Quoted: false } literal && literal.Text.Contains('{'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The words <paramref name="word"/> expands to; false when the limit was reached.</summary>
    public static bool Expand(Word word, List<Word> output)
    {
        var atoms = new List<Atom>();
        foreach (var part in word.Parts)
        {
            if (part is Literal { Quoted: false } literal)
            {
                foreach (var c in literal.Text)
                {
                    atoms.Add(new Atom(c, null));
                }
            }
            else
            {
                atoms.Add(new Atom('\0', part));
            }
        }

        var budget = MaxWords;
        var groups = 0;
        foreach (var atom in atoms)
        {
            groups += atom.Is('{') ? 1 : 0;
        }

        // Each group is a level of recursion; more groups than this cannot stay under MaxWords anyway.
        var results = groups <= MaxGroups ? Expand(atoms, ref budget) : null;
        if (results is null)
        {
            var (open, close, _) = FindBrace(atoms, 0);
            var replaced = atoms.Take(open).Append(new Atom('\0', new Unknown())).Concat(atoms.Skip(close + 1)).ToList();
            output.Add(ToWord(replaced));
            return false;
        }

        foreach (var result in results)
        {
            output.Add(ToWord(result));
        }

        return true;
    }

    private static List<List<Atom>>? Expand(List<Atom> atoms, ref int budget)
    {
        var (open, close, alternatives) = FindBrace(atoms, 0);
        if (open < 0)
        {
            return [atoms];
        }

        var suffixes = Expand(atoms.GetRange(close + 1, atoms.Count - close - 1), ref budget);
        if (suffixes is null)
        {
            return null;
        }

        if (ReferenceEquals(alternatives, TooMany))
        {
            return null;
        }

        var results = new List<List<Atom>>();
        foreach (var alternative in alternatives!)
        {
            var expanded = Expand(alternative, ref budget);
            if (expanded is null)
            {
                return null;
            }

            foreach (var middle in expanded)
            {
                foreach (var suffix in suffixes)
                {
                    if (--budget < 0)
                    {
                        return null;
                    }

                    var result = new List<Atom>(open + middle.Count + suffix.Count);
                    result.AddRange(atoms.GetRange(0, open));
                    result.AddRange(middle);
                    result.AddRange(suffix);
                    results.Add(result);
                }
            }
        }

        return results;
    }

    /// <summary>The first brace group from <paramref name="start"/> that expands, with its alternatives; (-1, -1, null) when none.</summary>
    private static (int Open, int Close, List<List<Atom>>? Alternatives) FindBrace(List<Atom> atoms, int start)
    {
        for (var i = start; i < atoms.Count; i++)
        {
            if (!atoms[i].Is('{'))
            {
                continue;
            }

            var depth = 0;
            var commas = new List<int>();
            for (var j = i; j < atoms.Count; j++)
            {
                if (atoms[j].Is('{'))
                {
                    depth++;
                }
                else if (atoms[j].Is('}') && --depth == 0)
                {
                    if (commas.Count > 0)
                    {
                        var alternatives = new List<List<Atom>>();
                        var from = i + 1;
                        foreach (var comma in commas.Append(j))
                        {
                            alternatives.Add(atoms.GetRange(from, comma - from));
                            from = comma + 1;
                        }

                        return (i, j, alternatives);
                    }

                    var sequence = Sequence(atoms, i + 1, j);
                    if (sequence is not null)
                    {
                        return (i, j, sequence);
                    }

                    break;
                }
                else if (atoms[j].Is(',') && depth == 1)
                {
                    commas.Add(j);
                }
            }
        }

        return (-1, -1, null);
    }

    /// <summary>The items of <c>{x..y[..step]}</c> between <paramref name="from"/> and <paramref name="to"/>, or null when it is not a sequence.</summary>
    private static List<List<Atom>>? Sequence(List<Atom> atoms, int from, int to)
    {
        var text = new StringBuilder();
        for (var i = from; i < to; i++)
        {
            if (atoms[i].Part is not null)
            {
                return null;
            }

            text.Append(atoms[i].Char);
        }

        var pieces = text.ToString().Split("..");
        if (pieces.Length is not 2 and not 3)
        {
            return null;
        }

        long step = 1;
        if (pieces.Length == 3 && !long.TryParse(pieces[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out step))
        {
            return null;
        }

        step = Math.Abs(step == 0 ? 1 : step);
        var items = new List<List<Atom>>();
        if (long.TryParse(pieces[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var a)
            && long.TryParse(pieces[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var b))
        {
            var count = (Math.Abs((decimal)b - a) / step) + 1;
            if (count > MaxWords)
            {
                return TooMany;
            }

            var width = HasLeadingZero(pieces[0]) || HasLeadingZero(pieces[1]) ? Math.Max(pieces[0].Length, pieces[1].Length) : 0;
            for (var k = 0; k < (int)count; k++)
            {
                var v = (long)(a + (a <= b ? 1 : -1) * (decimal)k * step);
                var s = v.ToString(CultureInfo.InvariantCulture);
                if (width > 0)
                {
                    s = v < 0 ? "-" + (-v).ToString(CultureInfo.InvariantCulture).PadLeft(width - 1, '0') : s.PadLeft(width, '0');
                }

                items.Add(s.Select(c => new Atom(c, null)).ToList());
            }

            return items;
        }

        if (pieces[0].Length == 1 && pieces[1].Length == 1 && char.IsAsciiLetter(pieces[0][0]) && char.IsAsciiLetter(pieces[1][0]))
        {
            int x = pieces[0][0], y = pieces[1][0];
            var count = (Math.Abs(y - x) / step) + 1;
            for (var k = 0L; k < count; k++)
            {
                items.Add([new Atom((char)(x + ((x <= y ? 1 : -1) * k * step)), null)]);
            }

            return items;
        }

        return null;
    }

    private static bool HasLeadingZero(string s) => s.Length > 1 && (s[0] == '0' || (s[0] == '-' && s.Length > 2 && s[1] == '0'));

    private static Word ToWord(List<Atom> atoms)
    {
        var parts = new List<Part>();
        var text = new StringBuilder();
        foreach (var atom in atoms)
        {
            if (atom.Part is null)
            {
                text.Append(atom.Char);
                continue;
            }

            if (text.Length > 0)
            {
                parts.Add(new Literal(text.ToString()));
                text.Clear();
            }

            parts.Add(atom.Part);
        }

        if (text.Length > 0)
        {
            parts.Add(new Literal(text.ToString()));
        }

        return new Word(parts.ToArray());
    }

    private readonly record struct Atom(char Char, Part? Part)
    {
        public bool Is(char c) => Part is null && Char == c;
    }
}
