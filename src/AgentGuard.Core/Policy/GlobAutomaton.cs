using System.Text;

namespace AgentGuard.Policy;

/// <summary>
/// A glob compiled to a nondeterministic automaton over characters, with character sets on its
/// transitions and no empty transitions: what lets the policy decide whether a resource pattern
/// (<c>/data/*weight*</c>) and an asset's globs (<c>**/*model_weight*</c>) can match a common
/// name, exactly and from the two patterns alone, by exploring the pairs of states both can reach.
/// </summary>
/// <remarks>
/// Patterns are short, so automata are small (about one state per pattern character); the work is
/// still bounded, by <see cref="MaxStates"/> when compiling and <see cref="MaxComparisons"/> when
/// intersecting, and a bound reached answers "they intersect" (fail closed).
/// </remarks>
internal sealed class GlobAutomaton
{
    /// <summary>The most states a resource pattern's automaton may have; a longer pattern compiles to <see cref="Everything"/>.</summary>
    public const int MaxStates = 1024;

    /// <summary>The most states an asset's automaton may have (its globs come from the policy's author, not from agents).</summary>
    public const int MaxPolicyStates = char.MaxValue;

    /// <summary>The most pairs of transitions one intersection compares before it answers yes.</summary>
    /// <remarks>
    /// Counted against the shipped policy's assets: at most ~900 comparisons per asset for the patterns
    /// agents write (<c>/data/*weight*</c>, <c>**/reports/q4.xlsx</c>), ~3,800 for the contrived
    /// <c>**/a*b*c*d*e*f*g/h*i*j*k*l</c>; a hostile 600-character <c>*a*a*a...</c> would need ~100,000
    /// and stops here, costing a few milliseconds for all assets (not cached: it is longer than
    /// <see cref="AssetMaskCache.MaxResourceLength"/>).
    /// </remarks>
    public const int MaxComparisons = 1 << 14;

    private readonly Transition[][] _transitions;
    private readonly bool[] _accepting;

    private GlobAutomaton(Transition[][] transitions, bool[] accepting)
    {
        _transitions = transitions;
        _accepting = accepting;
    }

    /// <summary>The automaton that matches every string: the fail-closed answer for a pattern too large to compile.</summary>
    public static GlobAutomaton Everything { get; } = new([[new Transition(CharSet.Any, 0)]], [true]);

    /// <summary>How many states the automaton has (state 0 is the start).</summary>
    public int StateCount => _transitions.Length;

    /// <summary>Whether the automaton matches the whole of <paramref name="text"/>.</summary>
    public bool IsMatch(string text)
    {
        var current = new HashSet<int> { 0 };
        foreach (var c in text)
        {
            var next = new HashSet<int>();
            foreach (var state in current)
            {
                foreach (var transition in _transitions[state])
                {
                    if (transition.Set.Contains(c))
                    {
                        next.Add(transition.Target);
                    }
                }
            }

            if (next.Count == 0)
            {
                return false;
            }

            current = next;
        }

        foreach (var state in current)
        {
            if (_accepting[state])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether some string matches both this automaton and <paramref name="other"/>.</summary>
    public bool Intersects(GlobAutomaton other) => Intersects(other, out _);

    /// <summary>
    /// Whether some string matches both this automaton and <paramref name="other"/>;
    /// <paramref name="witness"/> is a shortest such string, or <see langword="null"/> when there is
    /// none or the search stopped at <see cref="MaxComparisons"/> (and answered yes to fail closed).
    /// </summary>
    public bool Intersects(GlobAutomaton other, out string? witness)
    {
        ArgumentNullException.ThrowIfNull(other);
        witness = null;

        // Breadth first over the pairs of states the two automata reach on the same input: a pair
        // of accepting states means a common string, and the path to it spells a shortest one.
        var width = other.StateCount;
        var seen = new Dictionary<int, int> { [0] = 0 };
        var pairs = new List<Step> { new(0, 0, -1, '\0') };
        var comparisons = 0;
        for (var index = 0; index < pairs.Count; index++)
        {
            var (left, right, _, _) = pairs[index];
            if (_accepting[left] && other._accepting[right])
            {
                witness = Spell(pairs, index);
                return true;
            }

            foreach (var leftTransition in _transitions[left])
            {
                foreach (var rightTransition in other._transitions[right])
                {
                    if (++comparisons > MaxComparisons)
                    {
                        return true;
                    }

                    if (!leftTransition.Set.Overlaps(rightTransition.Set, out var common))
                    {
                        continue;
                    }

                    var key = (leftTransition.Target * width) + rightTransition.Target;
                    if (seen.TryAdd(key, pairs.Count))
                    {
                        pairs.Add(new Step(leftTransition.Target, rightTransition.Target, index, common));
                    }
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Whether some string matches this automaton but not <paramref name="other"/> (this pattern
    /// is not wholly inside the other); <paramref name="witness"/> is a shortest such string, or
    /// <see langword="null"/> when there is none or the search stopped at
    /// <see cref="MaxComparisons"/> (and answered yes to fail closed).
    /// </summary>
    public bool HasMatchOutside(GlobAutomaton other, out string? witness)
    {
        ArgumentNullException.ThrowIfNull(other);
        witness = null;

        // Breadth first over pairs of a state of this automaton and the set of states the other
        // reaches on the same input (the other made deterministic as it goes). A pair whose state
        // accepts and whose set holds no accepting state spells a string only this one matches.
        var work = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal) { Key(0, [0]) };
        var pairs = new List<Step> { new(0, 0, -1, '\0') };
        var subsets = new List<int[]> { new[] { 0 } };
        var partitions = new Dictionary<string, List<Piece>>(StringComparer.Ordinal);
        for (var index = 0; index < pairs.Count; index++)
        {
            var left = pairs[index].Left;
            var subset = subsets[index];
            if (_accepting[left] && !Array.Exists(subset, state => other._accepting[state]))
            {
                witness = Spell(pairs, index);
                return true;
            }

            var subsetKey = Key(-1, subset);
            if (!partitions.TryGetValue(subsetKey, out var pieces))
            {
                pieces = other.Partition(subset, ref work);
                partitions.Add(subsetKey, pieces);
            }

            foreach (var transition in _transitions[left])
            {
                foreach (var piece in pieces)
                {
                    if (++work > MaxComparisons)
                    {
                        return true;
                    }

                    if (transition.Set.Overlaps(piece.Low, piece.High, out var common)
                        && seen.Add(Key(transition.Target, piece.Targets)))
                    {
                        pairs.Add(new Step(transition.Target, 0, index, common));
                        subsets.Add(piece.Targets);
                    }
                }
            }
        }

        return false;

        // States are at most MaxPolicyStates, so each fits in one char.
        static string Key(int state, int[] subset)
        {
            var key = new char[subset.Length + 1];
            key[0] = (char)state;
            for (var i = 0; i < subset.Length; i++)
            {
                key[i + 1] = (char)subset[i];
            }

            return new string(key);
        }
    }

    // Cuts the characters into ranges that each take the states of subset to one set of states
    // (the empty set where none of them has a transition).
    private List<Piece> Partition(int[] subset, ref int work)
    {
        var bounds = new List<int> { 0, char.MaxValue + 1 };
        foreach (var state in subset)
        {
            foreach (var transition in _transitions[state])
            {
                transition.Set.AddBounds(bounds);
            }
        }

        bounds.Sort();
        var unique = new List<int>(bounds.Count);
        foreach (var bound in bounds)
        {
            if (unique.Count == 0 || unique[^1] != bound)
            {
                unique.Add(bound);
            }
        }

        var targets = new SortedSet<int>[unique.Count - 1];
        foreach (var state in subset)
        {
            foreach (var transition in _transitions[state])
            {
                foreach (var (low, high) in transition.Set.Ranges())
                {
                    for (var i = unique.BinarySearch(low); i < targets.Length && unique[i] <= high; i++)
                    {
                        work++;
                        (targets[i] ??= []).Add(transition.Target);
                    }
                }
            }
        }

        var pieces = new List<Piece>();
        for (var i = 0; i < targets.Length; i++)
        {
            var next = targets[i] is null ? [] : targets[i].ToArray();
            if (pieces.Count > 0 && pieces[^1].Targets.AsSpan().SequenceEqual(next))
            {
                pieces[^1] = pieces[^1] with { High = (char)(unique[i + 1] - 1) };
            }
            else
            {
                pieces.Add(new Piece((char)unique[i], (char)(unique[i + 1] - 1), next));
            }
        }

        return pieces;
    }

    private static string Spell(List<Step> pairs, int index)
    {
        var reversed = new StringBuilder();
        for (; pairs[index].Parent >= 0; index = pairs[index].Parent)
        {
            reversed.Append(pairs[index].Character);
        }

        var characters = reversed.ToString().ToCharArray();
        Array.Reverse(characters);
        return new string(characters);
    }

    private readonly record struct Transition(CharSet Set, int Target);

    private readonly record struct Step(int Left, int Right, int Parent, char Character);

    private readonly record struct Piece(char Low, char High, int[] Targets);

    /// <summary>
    /// Builds an automaton from states joined by character sets and empty transitions, then removes
    /// the empty transitions. Compilers add one state per pattern element.
    /// </summary>
    internal sealed class Builder
    {
        private readonly List<List<Transition>> _edges = [];
        private readonly List<List<int>> _empty = [];
        private readonly List<bool> _accepting = [];
        private readonly int _maxStates;

        /// <summary>Starts an automaton of at most <paramref name="maxStates"/> states (at most <see cref="MaxPolicyStates"/>).</summary>
        public Builder(int maxStates = MaxStates)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(maxStates, MaxPolicyStates);
            _maxStates = maxStates;
        }

        /// <summary>Whether the pattern needed more states than the builder allows.</summary>
        public bool Overflowed => _edges.Count > _maxStates;

        /// <summary>Adds a state and returns it; the first state added is the start.</summary>
        public int AddState()
        {
            _edges.Add([]);
            _empty.Add([]);
            _accepting.Add(false);
            return _edges.Count - 1;
        }

        /// <summary>A transition from <paramref name="from"/> to <paramref name="to"/> on any character of <paramref name="set"/>.</summary>
        public void AddTransition(int from, CharSet set, int to)
        {
            if (!set.IsEmpty)
            {
                _edges[from].Add(new Transition(set, to));
            }
        }

        /// <summary>A transition from <paramref name="from"/> to <paramref name="to"/> that reads nothing.</summary>
        public void AddEmpty(int from, int to) => _empty[from].Add(to);

        /// <summary>Appends a step on one character of <paramref name="set"/> after <paramref name="from"/>; returns the new state.</summary>
        public int Then(int from, CharSet set)
        {
            var to = AddState();
            AddTransition(from, set, to);
            return to;
        }

        /// <summary>Appends any number of characters of <paramref name="set"/> after <paramref name="from"/>; returns the new state.</summary>
        public int ThenRepeat(int from, CharSet set)
        {
            // A fresh state for the loop: looping on <paramref name="from"/> itself would let other
            // branches leaving it (alternatives of a {a,b} group) read the repeated characters too.
            var loop = AddState();
            AddEmpty(from, loop);
            AddTransition(loop, set, loop);
            return loop;
        }

        /// <summary>Appends <c>**/</c>: nothing, or any characters ending in <c>/</c>; returns the new state.</summary>
        public int ThenAnySegments(int from)
        {
            var loop = ThenRepeat(from, CharSet.Any);
            var end = Then(loop, CharSet.Single('/'));
            AddEmpty(from, end);
            return end;
        }

        /// <summary>Marks <paramref name="state"/> as accepting.</summary>
        public void Accept(int state) => _accepting[state] = true;

        /// <summary>The automaton, with empty transitions replaced by the transitions they lead to; <see cref="Everything"/> when it overflowed.</summary>
        public GlobAutomaton Build()
        {
            if (Overflowed || _edges.Count == 0)
            {
                return Everything;
            }

            var count = _edges.Count;
            var transitions = new Transition[count][];
            var accepting = new bool[count];
            var closure = new List<int>();
            var inClosure = new bool[count];
            for (var state = 0; state < count; state++)
            {
                foreach (var member in closure)
                {
                    inClosure[member] = false;
                }

                closure.Clear();
                closure.Add(state);
                inClosure[state] = true;
                for (var i = 0; i < closure.Count; i++)
                {
                    foreach (var next in _empty[closure[i]])
                    {
                        if (!inClosure[next])
                        {
                            inClosure[next] = true;
                            closure.Add(next);
                        }
                    }
                }

                var edges = new List<Transition>();
                foreach (var member in closure)
                {
                    accepting[state] |= _accepting[member];
                    foreach (var edge in _edges[member])
                    {
                        if (!edges.Contains(edge))
                        {
                            edges.Add(edge);
                        }
                    }
                }

                transitions[state] = [.. edges];
            }

            return new GlobAutomaton(transitions, accepting);
        }
    }
}
