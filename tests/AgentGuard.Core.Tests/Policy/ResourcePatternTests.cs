using AgentGuard.Effects;
using AgentGuard.Infrastructure;
using CsCheck;

namespace AgentGuard.Policy;

public class ResourcePatternTests
{
    /// <summary>Intersects the pattern with the glob, and checks any witness against both independent matchers.</summary>
    private static bool Intersects(string pattern, string glob, bool ignoreCase = false)
    {
        var intersects = ResourcePattern.ToAutomaton(pattern).Intersects(Glob.ToAutomaton([glob], ignoreCase), out var witness);
        if (intersects)
        {
            Assert.NotNull(witness);
            Assert.True(ShellGlobMatcher.IsMatch(pattern, witness), $"witness '{witness}' does not match pattern '{pattern}'");
            Assert.Matches(Glob.ToRegex(glob, ignoreCase), witness);
        }

        return intersects;
    }

    [Theory]
    // The examples: a glob that reaches the weights without naming them, and one that cannot.
    [InlineData("file:///data/*weight*", "**/*model_weight*", true)]
    [InlineData("file:///data/*.txt", "**/*.{safetensors,ckpt}", false)]
    [InlineData("file:///data/[gm]*", "**/*.safetensors", true)]
    [InlineData("file:///data/*.tx[tu]", "**/*.safetensors", false)]
    [InlineData("file:///data/*.safe[st]ensors", "**/*.{safetensors,ckpt}", true)]
    [InlineData("file:///data/*.[!s]*", "**/*.safetensors", true)] // x.y.safetensors
    [InlineData("file:///data/*.[!t]*", "**/*.safetensors", true)]
    // A relative path under an unknown folder, and recursive operands.
    [InlineData("file:///**/shutdown_config.yaml", "**/shutdown_config.yaml{,#**}", true)]
    [InlineData("file:///**/foo", "file:///srv/foo", true)]
    [InlineData("file:///**/foo", "file:///foo", true)]
    [InlineData("file:///**/foo", "file:///srv/foo.bak", false)]
    [InlineData("file:///**/foo", "file:///srv/**/bar", false)]
    [InlineData("file:///data/**", "**/*.safetensors", true)]
    [InlineData("file:///data/**", "file:///srv/**", false)]
    [InlineData("file:///data/**", "file:///data", false)]
    [InlineData("host://10.0.12.46/data/**", "host://10.0.12.46/**", true)]
    [InlineData("host://10.0.12.46/data/**", "host://10.0.12.47/**", false)]
    [InlineData("host://10.0.12.46/**/rel", "**/rel", true)]
    [InlineData("**", "config://**#shutdown_enabled", true)]
    [InlineData("**/x", "**/y", false)]
    [InlineData("**/x*", "**/*y", true)]
    [InlineData("file:///a**b", "file:///a/c/d/b", true)]
    // A star and a question mark stay within one segment; ** crosses them.
    [InlineData("file:///data/*", "file:///data/a/b", false)]
    [InlineData("file:///data/*/x", "file:///data/a/b/x", false)]
    [InlineData("file:///data/**/x", "file:///data/a/b/x", true)]
    [InlineData("file:///data/a?b", "file:///data/a/b", false)]
    [InlineData("file:///data/a?b", "file:///data/a.b", true)]
    [InlineData("file:///data?x", "file:///data/x", false)]
    [InlineData("file:///data/a?b", "file:///data/a?b", true)]
    [InlineData("file:///data/ab", "file:///data/a?", true)]
    [InlineData("file:///data/a/b", "file:///data/a?b", false)]
    [InlineData("file:///data/a/b", "file:///data/**b", true)]
    // Escapes: a backslash makes the next character literal on either side.
    [InlineData("file:///data/\\*", "file:///data/x", false)]
    [InlineData("file:///data/\\*", "file:///data/\\*", true)]
    [InlineData("file:///data/\\*", "file:///data/*", true)]
    [InlineData("file:///data/x", "file:///data/\\*", false)]
    [InlineData("file:///data/\\?", "file:///data/a", false)]
    [InlineData("file:///data/\\[ab]", "file:///data/[ab]", true)]
    [InlineData("file:///data/\\[ab]", "file:///data/a", false)]
    [InlineData("file:///data/[\\]]", "file:///data/]", true)]
    [InlineData("file:///data\\", "file:///data\\\\", true)]
    [InlineData("file:///a{b,c}", "file:///a\\{b,c\\}", true)]
    [InlineData("file:///ab", "file:///a\\{b,c\\}", false)]
    // Bracket expressions: ranges, negation, classes, and what is not a bracket at all.
    [InlineData("file:///data/[a-c]x", "file:///data/bx", true)]
    [InlineData("file:///data/[a-c]x", "file:///data/dx", false)]
    [InlineData("file:///data/[c-a]x", "file:///data/bx", true)]
    [InlineData("file:///data/[!a]b", "file:///data/ab", false)]
    [InlineData("file:///data/[!a]b", "file:///data/cb", true)]
    [InlineData("file:///data/[^a]b", "file:///data/ab", false)]
    [InlineData("file:///data/[!a]b", "file:///data/**b", true)]
    [InlineData("file:///data[!a]b", "file:///data/b", false)]
    [InlineData("file:///data[+-0]b", "file:///data/b", false)]
    [InlineData("file:///data[+-0]b", "file:///data.b", true)]
    [InlineData("file:///data/[[:digit:]]x", "file:///data/7x", true)]
    [InlineData("file:///data/[[:digit:]]x", "file:///data/ax", false)]
    [InlineData("file:///data/[![:digit:]]x", "file:///data/7x", false)]
    [InlineData("file:///data/[[:alpha:][:digit:]]x", "file:///data/{7,_}x", true)]
    [InlineData("file:///data/[[:upper:]]*", "**/*.safetensors", true)]
    [InlineData("file:///data/[[:upper:]]*", "file:///data/model*", false)]
    [InlineData("file:///data/[[:space:]]", "file:///data/ ", true)]
    [InlineData("file:///data/[[:punct:]]", "file:///data/a", false)]
    [InlineData("file:///data/[[:punct:]]", "file:///data/_", true)]
    [InlineData("file:///data/[[:nonsense:]]", "file:///data/q", true)]
    [InlineData("file:///data/[[=a=]]", "file:///data/a", true)]
    [InlineData("file:///data/[[.a.]]", "file:///data/b", false)]
    [InlineData("file:///data/[]a]", "file:///data/]", true)]
    [InlineData("file:///data/[!]a]", "file:///data/]", false)]
    [InlineData("file:///data/[", "file:///data/[", true)]
    [InlineData("file:///data/[", "file:///data/a", false)]
    [InlineData("file:///data/[abc", "file:///data/[abc", true)]
    [InlineData("file:///data/[abc", "file:///data/a", false)]
    [InlineData("file:///data/[a/b]", "file:///data/[a/b]", true)]
    [InlineData("file:///data/[a/b]", "file:///data/a", false)]
    [InlineData("file:///data/[!/]", "file:///data/[!/]", true)]
    // The shell's leading-dot rule is not applied: a pattern may reach dotfiles.
    [InlineData("file:///home/u/*", "file:///home/u/.ssh", true)]
    [InlineData("file:///home/u/?ssh", "file:///home/u/.ssh", true)]
    // Degenerate patterns.
    [InlineData("", "**", true)]
    [InlineData("", "file:///x", false)]
    [InlineData("file:///x", "file:///x", true)]
    [InlineData("file:///x", "file:///y", false)]
    public void Intersects_PatternAndGlob_DecidesWhetherAnyNameMatchesBoth(string pattern, string glob, bool expected)
    {
        Assert.Equal(expected, Intersects(pattern, glob));
    }

    [Theory]
    [InlineData("file:///DATA/*", "file:///data/x", true)]
    [InlineData("file:///data/*.SAFETENSORS", "**/*.safetensors", true)]
    [InlineData("file:///data/[[:upper:]]odel*", "file:///data/model*", true)]
    [InlineData("file:///data/[A-Z]*", "**/model_weight*", true)]
    [InlineData("file:///data/*.TXT", "**/*.safetensors", false)]
    public void Intersects_CaseInsensitiveAsset_IgnoresCase(string pattern, string glob, bool expected)
    {
        Assert.Equal(expected, Intersects(pattern, glob, ignoreCase: true));
        Assert.False(Intersects(pattern, glob, ignoreCase: false));
    }

    [Fact]
    public void Intersects_KelvinSign_IsTheLetterKWhenCaseIsIgnored()
    {
        Assert.True(ResourcePattern.ToAutomaton("file:///\u212A").Intersects(Glob.ToAutomaton(["file:///k"], ignoreCase: true)));
        Assert.Matches(Glob.ToRegex("file:///k", ignoreCase: true), "file:///\u212A");
    }

    [Fact]
    public void ToAutomaton_PatternPastTheStateLimit_MatchesEverything()
    {
        var pattern = "file:///" + new string('a', GlobAutomaton.MaxStates + 1);

        var automaton = ResourcePattern.ToAutomaton(pattern);

        Assert.Same(GlobAutomaton.Everything, automaton);
        Assert.True(automaton.Intersects(Glob.ToAutomaton(["**/*.safetensors"], ignoreCase: false)));
    }

    [Fact]
    public void Intersects_ProductPastTheComparisonLimit_AnswersYes()
    {
        // Stars on both sides keep most pairs of states alive: the search stops at the bound, and says yes.
        var pattern = ResourcePattern.ToAutomaton("file:///" + string.Concat(Enumerable.Repeat("*a", 150)));
        var glob = Glob.ToAutomaton(["file:///" + string.Concat(Enumerable.Repeat("*b", 150))], ignoreCase: false);
        Assert.NotSame(GlobAutomaton.Everything, pattern);

        var intersects = pattern.Intersects(glob, out var witness);

        Assert.True(intersects);
        Assert.Null(witness);
    }

    [Theory]
    [InlineData("file:///data/*.safetensors", "**/*.safetensors", false)]
    [InlineData("file:///data/*", "**/*.safetensors", true)]
    [InlineData("file:///data/**", "file:///data/**", false)]
    [InlineData("file:///data/**", "file:///data/*", true)]
    [InlineData("file:///data/[ab]", "file:///data/{a,b,c}", false)]
    [InlineData("file:///data/[a-d]", "file:///data/{a,b,c}", true)]
    [InlineData("config://shutdown_config.yaml#shutdown_enable[d]", "config://**#shutdown_enabled", false)]
    [InlineData("config://shutdown_config.yaml#shutdown_*", "config://**#shutdown_enabled", true)]
    [InlineData("", "**", false)]
    [InlineData("", "?", true)]
    public void HasMatchOutside_PatternAndGlob_DecidesWhetherSomeNameIsOutsideTheGlob(string pattern, string glob, bool expected)
    {
        var outside = ResourcePattern.ToAutomaton(pattern).HasMatchOutside(Glob.ToAutomaton([glob], ignoreCase: false), out var witness);

        Assert.Equal(expected, outside);
        if (outside)
        {
            Assert.NotNull(witness);
            Assert.True(ShellGlobMatcher.IsMatch(pattern, witness));
            Assert.DoesNotMatch(Glob.ToRegex(glob, ignoreCase: false), witness);
        }
    }

    [Theory]
    [InlineData("file:///data/x", false)]
    [InlineData("host://10.0.12.46/data/*", false)]
    [InlineData("file:///**/rel", false)]
    [InlineData("host://10.0.12.*/data/x", true)]
    [InlineData("host://10.0.12.4?/data", true)]
    [InlineData("host://[ab]/data", true)]
    [InlineData("host://a\\*b/data", true)]
    [InlineData("host://h", false)]
    [InlineData("host://h*", true)]
    [InlineData("**/x", true)]
    [InlineData("*://h/x", true)]
    public void AuthorityIsPattern_Pattern_TellsWhetherTheHostIsKnown(string pattern, bool expected)
    {
        Assert.Equal(expected, ResourcePattern.AuthorityIsPattern(pattern));
    }

    [Theory]
    [InlineData("file:///data/*", "host://10.0.12.46/data/", EffectFlags.ResourcePattern, true)]
    [InlineData("host://10.0.12.46/data/*", "host://10.0.12.46/tmp/", EffectFlags.ResourcePattern, false)]
    [InlineData("host://10.0.12.4?/data/x", "host://10.0.12.46/tmp/", EffectFlags.ResourcePattern, true)]
    [InlineData("file:///data/x", "host://10.0.*/data/", EffectFlags.DestinationPattern, true)]
    [InlineData("file:///data/x", "file:///data/*/", EffectFlags.DestinationPattern, false)]
    // Without the flag the star is a character of the host's name, compared as it is.
    [InlineData("host://h*/data/x", "host://h*/tmp/", EffectFlags.None, false)]
    public void CrossesHost_PatternEffect_ComparesLiteralHostsAndTakesPatternHostsAsCrossing(string resource, string destination, EffectFlags flags, bool expected)
    {
        Assert.Equal(expected, ResourcePattern.CrossesHost(new Effect(EffectKind.Copy, resource, destination, Flags: flags)));
    }

    private static readonly (string Text, Gen<string> Sample)[] PatternTokens =
    [
        ("a", Gen.Const("a")), ("b", Gen.Const("b")), ("A", Gen.Const("A")), (".", Gen.Const(".")), ("/", Gen.Const("/")),
        ("\\*", Gen.Const("*")), ("\\[", Gen.Const("[")), ("\\?", Gen.Const("?")), ("]", Gen.Const("]")), ("[", Gen.Const("[")),
        ("*", Gen.Char["abA.-*"].Array[0, 3].Select(c => new string(c))),
        ("**", Gen.Char["ab/."].Array[0, 4].Select(c => new string(c))),
        ("**/", Gen.Char["ab/"].Array[0, 3].Select(c => c.Length == 0 ? string.Empty : new string(c) + "/")),
        ("?", Gen.Char["abA.-*"].Select(c => c.ToString())),
        ("[ab]", Gen.Char["ab"].Select(c => c.ToString())),
        ("[a-c]", Gen.Char["abc"].Select(c => c.ToString())),
        ("[!a]", Gen.Char["bA.-"].Select(c => c.ToString())),
        ("[^b]", Gen.Char["aA."].Select(c => c.ToString())),
        ("[[:upper:]]", Gen.Char["AB"].Select(c => c.ToString())),
        ("[[:alpha:]]", Gen.Char["aA"].Select(c => c.ToString())),
        ("[a/b]", Gen.Const("[a/b]")),
        ("[]a]", Gen.Char["]a"].Select(c => c.ToString())),
    ];

    private static readonly (string Text, Gen<string> Sample)[] GlobTokens =
    [
        ("a", Gen.Const("a")), ("b", Gen.Const("b")), ("A", Gen.Const("A")), (".", Gen.Const(".")), ("/", Gen.Const("/")),
        ("[", Gen.Const("[")), ("]", Gen.Const("]")), ("\\*", Gen.Const("*")), ("\\{", Gen.Const("{")),
        ("*", Gen.Char["abA.*["].Array[0, 3].Select(c => new string(c))),
        ("**", Gen.Char["ab/."].Array[0, 4].Select(c => new string(c))),
        ("**/", Gen.Char["ab/"].Array[0, 3].Select(c => c.Length == 0 ? string.Empty : new string(c) + "/")),
        ("?", Gen.Char["abA.["].Select(c => c.ToString())),
        ("{a,b}", Gen.Char["ab"].Select(c => c.ToString())),
        ("{,.b*}", Gen.OneOf(Gen.Const(string.Empty), Gen.Const(".b"), Gen.Const(".ba"))),
        ("{a*,**/b}", Gen.OneOf(Gen.Const("a"), Gen.Const("ab"), Gen.Const("b"), Gen.Const("a/b"))),
    ];

    /// <summary>A pattern of up to <paramref name="tokens"/> tokens and a name it was built to match.</summary>
    private static Gen<(string Text, string Sample)> Pattern((string Text, Gen<string> Sample)[] vocabulary, int tokens)
        => Gen.Int[0, vocabulary.Length - 1].Array[0, tokens].SelectMany(chosen =>
        {
            var text = string.Concat(chosen.Select(i => vocabulary[i].Text));
            var samples = chosen.Select(i => vocabulary[i].Sample).ToArray();
            return Concat(samples, 0).Select(sample => (text, sample));
        });

    private static Gen<string> Concat(Gen<string>[] parts, int from)
        => from == parts.Length ? Gen.Const(string.Empty) : parts[from].SelectMany(head => Concat(parts, from + 1).Select(tail => head + tail));

    private static readonly Gen<(string Pattern, string PatternSample, string Glob, string GlobSample, string Random, bool IgnoreCase)> Cases =
        from pattern in Pattern(PatternTokens, 7)
        from glob in Pattern(GlobTokens, 7)
        from random in Gen.Char["abAB./*[]-"].Array[0, 8]
        from ignoreCase in Gen.Bool
        select (pattern.Text, pattern.Sample, glob.Text, glob.Sample, new string(random), ignoreCase);

    [Fact]
    public void Intersects_RandomPatterns_SoundAgainstNamesBothMatchAndCompleteByWitness()
    {
        Cases.Sample((pattern, patternSample, glob, globSample, random, ignoreCase) =>
        {
            var regex = Glob.ToRegex(glob, ignoreCase);
            var intersects = ResourcePattern.ToAutomaton(pattern).Intersects(Glob.ToAutomaton([glob], ignoreCase), out var witness);

            // Sound: a name both match means the patterns intersect.
            foreach (var name in new[] { patternSample, globSample, random })
            {
                if (ShellGlobMatcher.IsMatch(pattern, name) && regex.IsMatch(name))
                {
                    Assert.True(intersects, $"'{name}' matches both, but Intersects said no");
                }
            }

            // Complete: a yes comes with a name that both match.
            if (intersects)
            {
                Assert.NotNull(witness);
                Assert.True(ShellGlobMatcher.IsMatch(pattern, witness) && regex.IsMatch(witness), $"witness '{witness}' does not match both");
            }
        }, iter: 20_000);
    }

    [Fact]
    public void HasMatchOutside_RandomPatterns_SoundAgainstNamesOnlyThePatternMatchesAndCompleteByWitness()
    {
        Cases.Sample((pattern, patternSample, glob, globSample, random, ignoreCase) =>
        {
            var regex = Glob.ToRegex(glob, ignoreCase);
            var outside = ResourcePattern.ToAutomaton(pattern).HasMatchOutside(Glob.ToAutomaton([glob], ignoreCase), out var witness);

            foreach (var name in new[] { patternSample, globSample, random })
            {
                if (ShellGlobMatcher.IsMatch(pattern, name) && !regex.IsMatch(name))
                {
                    Assert.True(outside, $"'{name}' matches the pattern but not the glob, but HasMatchOutside said no");
                }
            }

            if (outside)
            {
                Assert.NotNull(witness);
                Assert.True(ShellGlobMatcher.IsMatch(pattern, witness) && !regex.IsMatch(witness), $"witness '{witness}' is not a name only the pattern matches");
            }
        }, iter: 10_000);
    }

    [Fact]
    public void ToAutomaton_RandomPatterns_MatchAsTheIndependentMatchers()
    {
        Cases.Sample((pattern, patternSample, glob, globSample, random, ignoreCase) =>
        {
            var patternAutomaton = ResourcePattern.ToAutomaton(pattern);
            var globAutomaton = Glob.ToAutomaton([glob], ignoreCase);
            var regex = Glob.ToRegex(glob, ignoreCase);
            foreach (var name in new[] { patternSample, globSample, random })
            {
                Assert.True(ShellGlobMatcher.IsMatch(pattern, name) == patternAutomaton.IsMatch(name), $"pattern automaton and matcher disagree on '{name}'");
                Assert.True(regex.IsMatch(name) == globAutomaton.IsMatch(name), $"glob automaton and regex disagree on '{name}'");
            }
        }, iter: 20_000);
    }
}
