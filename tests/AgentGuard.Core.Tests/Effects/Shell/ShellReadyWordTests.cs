namespace AgentGuard.Effects.Shell;

/// <summary>
/// The reader takes commands whose words are plain text or one quoted string straight into the
/// words they run as, without building syntax words for the evaluator to expand. Those words must
/// be exactly what the full expansion makes of the same text: here each command is compared with
/// itself written so that every word has an empty quoted part (<c>w""</c>), which expands to the
/// same word but only through the full path.
/// </summary>
public class ShellReadyWordTests
{
    [Theory]
    [InlineData("ls -la /data/*.csv")]
    [InlineData("grep -rn 'TODO' src/")]
    [InlineData("grep -rn \"TODO\" src/ | head -20")]
    [InlineData("cp '/data/*.safetensors' \"/mnt/a?b\" /tmp/")]
    [InlineData("find . -name '*.py' -newer a?b.txt")]
    [InlineData("echo '' \"\" x")]
    [InlineData("echo 'a\tb' \"c\td\" '(x)' \"[y]\"")]
    [InlineData("cd /srv && cat config/*.yaml; cat app/?.log")]
    [InlineData("f() { cat *.txt; }; f; f")]
    public void ReadyWords_AreTheWordsTheFullExpansionMakes(string command)
    {
        var ready = ShellParserTests.Render(ShellParser.Parse(command, "/home/agent"));
        var full = ShellParserTests.Render(ShellParser.Parse(WithEmptyQuotes(command), "/home/agent"));

        Assert.Equal(full, ready);
    }

    [Fact]
    public void QuotedFirstWord_BeforeParentheses_IsNoFunctionName()
    {
        // Only an unquoted name defines a function: "f"() is the command "f" followed by a syntax error, as in bash.
        var script = ShellParser.Parse("\"f\"() { rm -rf /data; }; f");

        Assert.False(script.Complete);
        Assert.Contains(script.Commands, c => c.Words.Count > 0 && c.Words[0].Text == "rm");
    }

    /// <summary>Appends <c>""</c> to every word (before a trailing <c>;</c>), operators and <c>f()</c> left as they are (words hold no spaces).</summary>
    private static string WithEmptyQuotes(string command)
        => string.Join(' ', command.Split(' ').Select(word => word switch
        {
            "|" or "&&" or ";" or "{" or "}" or "};" => word,
            _ when word.EndsWith("()", StringComparison.Ordinal) => word,
            _ when word.EndsWith(';') => word[..^1] + "\"\";",
            _ => word + "\"\"",
        }));
}
