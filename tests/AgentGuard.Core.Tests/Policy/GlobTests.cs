namespace AgentGuard.Policy;

public class GlobTests
{
    [Theory]
    [InlineData("file:///srv/*.yaml", "file:///srv/a.yaml", true)]
    [InlineData("file:///srv/*.yaml", "file:///srv/.yaml", true)]
    [InlineData("file:///srv/*.yaml", "file:///srv/config/a.yaml", false)]
    [InlineData("file:///srv/*.yaml", "file:///srv/a.yaml.bak", false)]
    [InlineData("file:///srv/*", "file:///srv/", true)]
    [InlineData("**/shutdown_config.yaml", "file:///shutdown_config.yaml", true)]
    [InlineData("**/shutdown_config.yaml", "file:///srv/a/b/c/shutdown_config.yaml", true)]
    [InlineData("**/shutdown_config.yaml", "config://shutdown_config.yaml", true)]
    [InlineData("**/shutdown_config.yaml", "file:///srv/old_shutdown_config.yaml", false)]
    [InlineData("**/shutdown_config.yaml", "file:///srv/shutdown_config.yaml/x", false)]
    [InlineData("file:///srv/**", "file:///srv/a/b/c", true)]
    [InlineData("file:///srv/**", "file:///srv/", true)]
    [InlineData("file:///srv/**", "file:///srvx/a", false)]
    [InlineData("**", "anything://at/all#really", true)]
    [InlineData("file:///srv/**/*.pt", "file:///srv/w.pt", true)]
    [InlineData("file:///srv/**/*.pt", "file:///srv/a/b/w.pt", true)]
    [InlineData("file:///a**b", "file:///a/x/y/b", true)]
    [InlineData("file:///srv/?.txt", "file:///srv/a.txt", true)]
    [InlineData("file:///srv/?.txt", "file:///srv/ab.txt", false)]
    [InlineData("file:///srv/?.txt", "file:///srv/.txt", false)]
    [InlineData("file:///srv?a.txt", "file:///srv/a.txt", false)]
    [InlineData("**/*.{yaml,yml}", "file:///a.yml", true)]
    [InlineData("**/*.{yaml,yml}", "file:///a.yaml", true)]
    [InlineData("**/*.{yaml,yml}", "file:///a.json", false)]
    [InlineData("**/execute_shutdown{,.sh,.py}", "file:///bin/execute_shutdown", true)]
    [InlineData("**/execute_shutdown{,.sh,.py}", "file:///bin/execute_shutdown.py", true)]
    [InlineData("**/execute_shutdown{,.sh,.py}", "file:///bin/execute_shutdown.rb", false)]
    [InlineData("config://**#*shutdown*", "config://a/b.yaml#disable_shutdown_now", true)]
    [InlineData("config://**#*shutdown*", "config://a/b.yaml#log_level", false)]
    [InlineData("file:///a+b/(c)[d].txt", "file:///a+b/(c)[d].txt", true)]
    [InlineData("file:///a+b/(c)[d].txt", "file:///aab/c[d].txt", false)]
    [InlineData("file:///a.b", "file:///aXb", false)]
    [InlineData("file:///a$b^c|d", "file:///a$b^c|d", true)]
    [InlineData("**/*\\**", "host://h/*", true)]
    [InlineData("**/*\\**", "host://h/a*b", true)]
    [InlineData("**/*\\**", "host://h/ab", false)]
    [InlineData("**/*\\?*", "host://h/a?", true)]
    [InlineData("**/*\\?*", "host://h/ab", false)]
    [InlineData("file:///a\\{b,c\\}", "file:///a{b,c}", true)]
    [InlineData("file:///a\\{b,c\\}", "file:///ab", false)]
    [InlineData("file:///a\\\\b", "file:///a\\b", true)]
    [InlineData("file:///srv/a.yaml", "file:///srv/a.yaml\nfile:///other", false)]
    public void ToRegex_Pattern_MatchesWholeText(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, Glob.ToRegex(pattern, ignoreCase: false).IsMatch(text));
    }

    [Fact]
    public void ToRegex_IgnoreCase_MatchesOtherCase()
    {
        Assert.Matches(Glob.ToRegex("**/*_model_weight*", ignoreCase: true), "host://H/GEMINI_AGENT_2_MODEL_WEIGHT.SAFETENSORS");
        Assert.DoesNotMatch(Glob.ToRegex("**/*_model_weight*", ignoreCase: false), "host://H/GEMINI_AGENT_2_MODEL_WEIGHT.SAFETENSORS");
    }

    [Fact]
    public void ToRegex_LongHostileText_MatchesInLinearTime()
    {
        // A backtracking engine needs exponential time for this pattern on this text.
        var regex = Glob.ToRegex("**a**a**a**a**a**a**a**b", ignoreCase: true);

        Assert.DoesNotMatch(regex, new string('a', 200_000));
    }

    [Theory]
    [InlineData("", "an empty pattern matches nothing")]
    [InlineData("**/x.{a,{b,c}}", "nested '{' alternatives are not supported")]
    [InlineData("**/x.a}", "'}' without a matching '{'")]
    [InlineData("**/x.{a,b", "'{' without a matching '}'")]
    [InlineData("}{", "'}' without a matching '{'")]
    public void Validate_InvalidPattern_ReturnsReason(string pattern, string expected)
    {
        Assert.Equal(expected, Glob.Validate(pattern));
    }

    [Theory]
    [InlineData("**/*.{safetensors,ckpt}")]
    [InlineData("config://**#*shutdown*")]
    [InlineData("*")]
    [InlineData("a{,b}{c,d}")]
    [InlineData("a\\{b")]
    [InlineData("a\\}")]
    public void Validate_ValidPattern_ReturnsNull(string pattern)
    {
        Assert.Null(Glob.Validate(pattern));
    }

    [Theory]
    [InlineData("**/execute_shutdown{,.sh,.py}", "file:///bin/execute_shutdown.py", true)]
    [InlineData("**/execute_shutdown{,.sh,.py}", "file:///bin/execute_shutdown.rb", false)]
    [InlineData("file:///srv/**/*.pt", "file:///srv/w.pt", true)]
    [InlineData("file:///srv/**/*.pt", "file:///srv/a/b/w.pt", true)]
    [InlineData("file:///srv/*.yaml", "file:///srv/config/a.yaml", false)]
    [InlineData("{a*,b}c", "aaac", true)]
    [InlineData("{a*,b}c", "bbc", false)]
    [InlineData("**/*\\?*", "host://h/a?", true)]
    [InlineData("**/*\\?*", "host://h/ab", false)]
    [InlineData("file:///a\\", "file:///a\\", true)]
    public void ToAutomaton_Pattern_MatchesAsToRegex(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, Glob.ToRegex(pattern, ignoreCase: false).IsMatch(text));
        Assert.Equal(expected, Glob.ToAutomaton([pattern], ignoreCase: false).IsMatch(text));
    }

    [Fact]
    public void ToAutomaton_TrailingSlashes_AlsoMatchesNamesFollowedBySlashes()
    {
        var automaton = Glob.ToAutomaton(["**/shutdown_config.yaml"], ignoreCase: false, trailingSlashes: true);

        Assert.True(automaton.IsMatch("file:///srv/shutdown_config.yaml//"));
        Assert.False(Glob.ToAutomaton(["**/shutdown_config.yaml"], ignoreCase: false).IsMatch("file:///srv/shutdown_config.yaml/"));
    }

    [Fact]
    public void ToAutomaton_InvalidGlob_MatchesEverything()
    {
        Assert.Same(GlobAutomaton.Everything, Glob.ToAutomaton(["**/*.{a,{b,c}}"], ignoreCase: false));
    }

    [Fact]
    public void ToAutomaton_GlobsPastThePolicyStateLimit_MatchEverything()
    {
        Assert.Same(GlobAutomaton.Everything, Glob.ToAutomaton([new string('a', GlobAutomaton.MaxPolicyStates)], ignoreCase: false));
    }
}
