namespace AgentGuard.Policy;

/// <summary>
/// A set of UTF-16 code units, the label of one transition in a <see cref="GlobAutomaton"/>:
/// sorted, disjoint, non-adjacent inclusive ranges, so that two sets intersect in one merge pass.
/// </summary>
internal sealed class CharSet
{
    /// <summary>Every character: <c>**</c>.</summary>
    public static readonly CharSet Any = new(['\0', char.MaxValue]);

    /// <summary>Every character but <c>/</c>: <c>*</c> and <c>?</c>, which stay within a path segment.</summary>
    public static readonly CharSet AnyButSlash = new(['\0', (char)('/' - 1), (char)('/' + 1), char.MaxValue]);

    private static readonly CharSet Slash = new(['/', '/']);

    private static int[]? _caseClasses;

    // Pairs: _ranges[2k] is the low end of range k, _ranges[2k + 1] its high end.
    private readonly char[] _ranges;

    private CharSet(char[] ranges) => _ranges = ranges;

    /// <summary>Whether the set has no character.</summary>
    public bool IsEmpty => _ranges.Length == 0;

    /// <summary>The set of one character.</summary>
    public static CharSet Single(char c) => c == '/' ? Slash : new([c, c]);

    /// <summary>The set of <paramref name="c"/> and every character that equals it when case is ignored.</summary>
    /// <remarks>
    /// The classes are the closure of <see cref="char.ToUpperInvariant"/> and
    /// <see cref="char.ToLowerInvariant"/> over every code unit (so <c>k</c>, <c>K</c> and the Kelvin
    /// sign are one class). That is at least as wide as what a case-insensitive asset regex treats as
    /// equal, so an intersection decided with it can only say yes too often, never too rarely.
    /// </remarks>
    public static CharSet IgnoringCase(char c)
    {
        var classes = _caseClasses ??= BuildCaseClasses();
        var members = new List<(char Low, char High)>();
        var member = c;
        do
        {
            members.Add((member, member));
            member = (char)classes[member];
        }
        while (member != c);

        return FromRanges(members);
    }

    /// <summary>The union of <paramref name="ranges"/> (inclusive, in any order, overlapping or not).</summary>
    public static CharSet FromRanges(List<(char Low, char High)> ranges)
    {
        ranges.Sort((a, b) => a.Low.CompareTo(b.Low));
        var merged = new List<char>(ranges.Count * 2);
        foreach (var (low, high) in ranges)
        {
            if (merged.Count > 0 && low <= merged[^1] + 1)
            {
                if (high > merged[^1])
                {
                    merged[^1] = high;
                }
            }
            else
            {
                merged.Add(low);
                merged.Add(high);
            }
        }

        return new CharSet([.. merged]);
    }

    /// <summary>Every character not in this set.</summary>
    public CharSet Complement()
    {
        var ranges = new List<char>(_ranges.Length + 2);
        var next = 0;
        for (var i = 0; i < _ranges.Length; i += 2)
        {
            if (_ranges[i] > next)
            {
                ranges.Add((char)next);
                ranges.Add((char)(_ranges[i] - 1));
            }

            next = _ranges[i + 1] + 1;
        }

        if (next <= char.MaxValue)
        {
            ranges.Add((char)next);
            ranges.Add(char.MaxValue);
        }

        return new CharSet([.. ranges]);
    }

    /// <summary>This set without <c>/</c>.</summary>
    public CharSet WithoutSlash() => Contains('/') ? Intersect(AnyButSlash) : this;

    /// <summary>Whether <paramref name="c"/> is in the set.</summary>
    public bool Contains(char c)
    {
        for (var i = 0; i < _ranges.Length; i += 2)
        {
            if (c < _ranges[i])
            {
                return false;
            }

            if (c <= _ranges[i + 1])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the two sets share a character; <paramref name="common"/> is one they share,
    /// a lowercase letter when they share one, so that witnesses read like names.
    /// </summary>
    public bool Overlaps(CharSet other, out char common)
    {
        common = '\0';
        var found = false;
        int i = 0, j = 0;
        while (i < _ranges.Length && j < other._ranges.Length)
        {
            var low = (char)Math.Max(_ranges[i], other._ranges[j]);
            var high = (char)Math.Min(_ranges[i + 1], other._ranges[j + 1]);
            if (low <= high)
            {
                if (!found)
                {
                    common = low;
                    found = true;
                }

                if (high >= 'a' && low <= 'z')
                {
                    common = (char)Math.Max(low, 'a');
                    return true;
                }
            }

            if (_ranges[i + 1] < other._ranges[j + 1])
            {
                i += 2;
            }
            else
            {
                j += 2;
            }
        }

        return found;
    }

    /// <summary>Adds where each of the set's ranges starts and where it stops (one past its end).</summary>
    public void AddBounds(List<int> bounds)
    {
        for (var i = 0; i < _ranges.Length; i += 2)
        {
            bounds.Add(_ranges[i]);
            bounds.Add(_ranges[i + 1] + 1);
        }
    }

    /// <summary>The set's ranges, in order.</summary>
    public IEnumerable<(char Low, char High)> Ranges()
    {
        for (var i = 0; i < _ranges.Length; i += 2)
        {
            yield return (_ranges[i], _ranges[i + 1]);
        }
    }

    /// <summary>Whether the set has a character in <paramref name="low"/>..<paramref name="high"/>; <paramref name="common"/> is one, a lowercase letter when it can be.</summary>
    public bool Overlaps(char low, char high, out char common)
    {
        common = '\0';
        var found = false;
        for (var i = 0; i < _ranges.Length && _ranges[i] <= high; i += 2)
        {
            var from = (char)Math.Max(_ranges[i], low);
            var to = (char)Math.Min(_ranges[i + 1], high);
            if (from > to)
            {
                continue;
            }

            if (to >= 'a' && from <= 'z')
            {
                common = (char)Math.Max(from, 'a');
                return true;
            }

            if (!found)
            {
                common = from;
                found = true;
            }
        }

        return found;
    }

    private CharSet Intersect(CharSet other)
    {
        var ranges = new List<char>();
        int i = 0, j = 0;
        while (i < _ranges.Length && j < other._ranges.Length)
        {
            var low = (char)Math.Max(_ranges[i], other._ranges[j]);
            var high = (char)Math.Min(_ranges[i + 1], other._ranges[j + 1]);
            if (low <= high)
            {
                ranges.Add(low);
                ranges.Add(high);
            }

            if (_ranges[i + 1] < other._ranges[j + 1])
            {
                i += 2;
            }
            else
            {
                j += 2;
            }
        }

        return new CharSet([.. ranges]);
    }

    // Each code unit points to the next member of its case class, in a cycle: 256 KiB, built once
    // per process and only when a case-insensitive asset is compiled into an automaton.
    private static int[] BuildCaseClasses()
    {
        var parent = new int[char.MaxValue + 1];
        for (var c = 0; c <= char.MaxValue; c++)
        {
            parent[c] = c;
        }

        for (var c = 0; c <= char.MaxValue; c++)
        {
            Union(parent, c, char.ToUpperInvariant((char)c));
            Union(parent, c, char.ToLowerInvariant((char)c));
        }

        var next = new int[char.MaxValue + 1];
        var last = new int[char.MaxValue + 1];
        Array.Fill(last, -1);
        for (var c = 0; c <= char.MaxValue; c++)
        {
            var root = Find(parent, c);
            next[c] = c;
            if (last[root] >= 0)
            {
                // Insert c after the class's last member; the cycle closes back to the root's first.
                next[c] = next[last[root]];
                next[last[root]] = c;
            }

            last[root] = c;
        }

        return next;

        static int Find(int[] parent, int c)
        {
            while (parent[c] != c)
            {
                parent[c] = parent[parent[c]];
                c = parent[c];
            }

            return c;
        }

        static void Union(int[] parent, int a, int b)
        {
            var rootA = Find(parent, a);
            var rootB = Find(parent, b);
            if (rootA != rootB)
            {
                parent[Math.Max(rootA, rootB)] = Math.Min(rootA, rootB);
            }
        }
    }
}
