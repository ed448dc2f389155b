using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace AgentGuard.Effects.Shell;

/// <summary>
/// The parser is total: whatever the input (generated and mutated commands, deep nesting,
/// unbalanced quotes, huge here-documents, random characters), it returns without an internal
/// error, with bounded output, and hostile inputs are reported as errors.
/// </summary>
/// <remarks>
/// <c>dotnet test</c> runs <see cref="DefaultFuzzCount"/> inputs; <c>tests/shell-fuzz.sh</c> runs
/// 10^5 (<c>SHELL_FUZZ_COUNT</c>) and also checks each input's time (<c>SHELL_FUZZ_MAX_MS</c>).
/// </remarks>
public class ShellParserRobustnessTests
{
    private const int DefaultFuzzCount = 30_000;

    private const string Metacharacters = "\"'`$(){}[]<>|&;\\\n#*?~=";

    private static readonly string[] Fragments =
    [
        "echo", "cp", "rm -rf", "/data/w.safetensors", "x", "\"a b\"", "'q'", "$'\\x41\\0'", "$\"l\"", "\\", "\\\n", "\n", " ", " ", " ",
        ";", "&&", "||", "|", "&", "|&", ";;", ";&", "(", ")", "{", "}", "{ ", " }", "((", "))", "[[", "]]", "!", "#c",
        "$x", "${x}", "${x:-d}", "${x:=$(ls)}", "${#x}", "${x%.*}", "${x//a/b}", "${x/#a/b}", "${!x}", "${x[0]}", "${", "$(", "$((", "`", "$1", "$@", "\"$@\"", "$$",
        "$(echo a)", "`echo b`", "$((1+2))", "<(ls)", ">(cat)", "{a,b}", "{1..5}", "{1..100000000}", "*.txt", "[a-z]", "@(a|b)", "~", "~/x",
        ">", ">>", "<", "<>", ">|", "2>&1", "&>", "&>>", ">&-", "<<EOF", "<<-'E'", "<<<", "EOF", "E", "\tE",
        "if", "then", "elif", "else", "fi", "for", "in", "do", "done", "while", "until", "case", "esac", "select", "function", "f()", "f", "coproc", "time",
        "X=1", "X=(a b)", "export Y=/d", "local", "cd /tmp", "cd ..", "cd -", "pushd /a", "popd", "base64 -d", "xxd -r -p", "printf '%s%d'", "cat",
        "'", "\"", "$'", "é", "日本", "\u0000", "\uFFFF", "\r",
    ];

    [Fact]
    public void ParseAndAnalyze_GeneratedAndMutatedCommands_ReturnWithoutInternalErrorsAndBoundedOutput()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("SHELL_FUZZ_COUNT"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : DefaultFuzzCount;
        var maxMilliseconds = int.TryParse(Environment.GetEnvironmentVariable("SHELL_FUZZ_MAX_MS"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : 0;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SHELL_FUZZ_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 20261205;
        var random = new Random(seed);
        foreach (var fragment in Fragments)
        {
            ShellParser.Parse("a " + fragment + " $(b) \"${c:-d}\" {e,f} <<G\nh\nG\n"); // JIT before the first timing
        }

        double slowest = 0;
        for (var i = 0; i < count; i++)
        {
            var input = Generate(random, i);
            var start = Stopwatch.GetTimestamp();
            var script = ShellParser.Parse(input, (i & 1) == 0 ? "/w" : null);

            // The whole analysis too, without its catch-all: what the guard runs on every shell call.
            ShellAnalyzer.AnalyzeUnguarded(input, (i & 1) == 0 ? new ShellContext("10.0.12.45", "/w") : ShellContext.Local);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            slowest = Math.Max(slowest, elapsed);
            AssertBounded(script, $"seed {seed} input {i} ({input.Length} chars): {Excerpt(input)}");
            if (maxMilliseconds > 0)
            {
                Assert.True(elapsed <= maxMilliseconds, $"seed {seed} input {i} took {elapsed:F0} ms: {Excerpt(input)}");
            }
        }

        Console.WriteLine($"{count} inputs, slowest {slowest:F1} ms");
    }

    [Theory]
    [InlineData("echo 'abc", "unterminated single quote")]
    [InlineData("echo \"abc", "unterminated double quote")]
    [InlineData("echo $'abc", "unterminated $'")]
    [InlineData("echo $(ls", "unterminated '$('")]
    [InlineData("echo ${x", "unterminated '${'")]
    [InlineData("echo `ls", "unterminated backquote")]
    [InlineData("echo <(ls", "unterminated process substitution")]
    [InlineData("if true; then echo", "expected 'fi'")]
    [InlineData("for x in a; do echo", "expected 'done'")]
    [InlineData("case x in a) echo", "expected 'esac'")]
    [InlineData("echo a &&", "expected a command")]
    [InlineData("echo a | ", "expected a command after '|'")]
    [InlineData("echo )", "unexpected ')'")]
    [InlineData("echo a; fi", "unexpected 'fi'")]
    [InlineData("echo ${}", "bad substitution")]
    [InlineData("cat <<EOF\nabc", "here-document 'EOF' is not terminated")]
    [InlineData("cat <<EOF", "here-document 'EOF' has no body")]
    [InlineData("echo > ", "expected a file name")]
    public void Parse_Malformed_ReportsTheErrorAndKeepsTheCommands(string source, string error)
    {
        var script = ShellParser.Parse(source);
        Assert.Contains(script.Errors, e => e.Contains(error, StringComparison.Ordinal));
        Assert.NotEmpty(script.Commands);
        AssertBounded(script, source);
    }

    [Fact]
    public void Parse_UnterminatedHereDocument_TakesTheRestAsItsBody()
    {
        var script = ShellParser.Parse("cat <<EOF > /etc/x\nline 1\nline 2");
        Assert.Equal("line 1\nline 2", script.Commands[0].Stdin);
        Assert.False(script.Complete);
    }

    [Fact]
    public void Parse_TenMegabytes_ReadsTheFirstMegabyteAndSaysSo()
    {
        var source = "echo " + new string('x', 10_000_000) + "; rm -rf /";
        var script = ShellParser.Parse(source);
        Assert.Contains(script.Errors, e => e.Contains("longer than", StringComparison.Ordinal));
        Assert.Single(script.Commands);
        Assert.Equal(ShellParser.MaxLength - 5, script.Commands[0].Words[1].Text.Length);
    }

    [Fact]
    public void Parse_LargeHereDocument_KeepsItsBody()
    {
        var body = string.Concat(Enumerable.Repeat("rm -rf /data/$X\n", 3_000));
        var script = ShellParser.Parse("X=w; cat <<EOF | sh\n" + body + "EOF\n");
        Assert.True(script.Complete, string.Join("; ", script.Errors));
        Assert.Equal(body.Replace("$X", "w", StringComparison.Ordinal), script.Commands[2].Stdin);
    }

    [Fact]
    public void Parse_HereDocumentPastTheValueLimit_HasUnknownInput()
    {
        var body = string.Concat(Enumerable.Repeat("rm -rf /data/$X\n", 50_000));
        var script = ShellParser.Parse("X=w; cat <<EOF | sh\n" + body + "EOF\n");
        Assert.Null(script.Commands[2].Stdin);
        var target = script.Commands[1].Redirections[0].Target;
        Assert.True(target.IsOpaque);
        Assert.StartsWith("rm -rf /data/w\n", target.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("( ", ")")]
    [InlineData("$(", ")")]
    [InlineData("{ ", "; }")]
    [InlineData("\"${x:-", "}\"")]
    [InlineData("if true; then ", "; fi")]
    [InlineData("for a in b; do ", "; done")]
    [InlineData("$((", "))")]
    [InlineData("echo $(echo \"", "\")")]
    [InlineData("f() { ", "; }; f")]
    [InlineData("[[ $(", ") ]]")]
    public void Parse_TenThousandNestings_StopsAtTheDepthLimit(string open, string close)
    {
        var source = string.Concat(Enumerable.Repeat(open, 10_000)) + "rm x" + string.Concat(Enumerable.Repeat(close, 10_000));
        var script = ShellParser.Parse(source);
        Assert.Contains(script.Errors, e => e.Contains("nesting deeper than", StringComparison.Ordinal));
        AssertBounded(script, open);
    }

    [Fact]
    public void Parse_NestingWithinTheLimit_IsUnderstood()
    {
        var source = string.Concat(Enumerable.Repeat("( ", 30)) + "rm x" + string.Concat(Enumerable.Repeat(")", 30));
        var script = ShellParser.Parse(source);
        Assert.True(script.Complete, string.Join("; ", script.Errors));
        Assert.Equal("rm x", ShellParserTests.Render(script));
    }

    [Theory]
    [InlineData("echo {1..100000000}")]
    [InlineData("echo {a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}")]
    [InlineData("echo {1..10}{1..10}{1..10}{1..10}")]
    [InlineData("echo {1..9223372036854775807..1}")]
    public void Parse_BraceBomb_ReportsAnErrorAndTakesTheBracesAsAPattern(string source)
    {
        var script = ShellParser.Parse(source);
        Assert.Contains(script.Errors, e => e.Contains("brace expansion", StringComparison.Ordinal));
        var words = script.Commands[0].Words;
        Assert.True(words.Count <= ShellBraceExpansion.MaxWords + 1);
        Assert.Contains(words, w => w.IsPattern && w.IsOpaque);
    }

    [Theory]
    [InlineData("f() { f; f; }; f")]
    [InlineData("x=ab; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22; do x=$x$x; done; echo $x $x $x $x $x $x $x $x")]
    [InlineData("for a in {1..64}; do for b in {1..64}; do for c in {1..64}; do echo $a$b$c; done; done; done")]
    [InlineData("x=$(printf '%s' aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa); echo ${x//*a*a*a*a*a*a*a*a*a*a*a*b/c}")]
    public void Parse_ExponentialWork_IsBounded(string source)
    {
        var script = ShellParser.Parse(source);
        AssertBounded(script, source);
    }

    private static void AssertBounded(ShellScript script, string context)
    {
        Assert.DoesNotContain(script.Errors, e => e.StartsWith("internal", StringComparison.Ordinal));
        Assert.True(script.Commands.Count <= ShellEvaluator.MaxCommands, context);
        Assert.True(script.Errors.Count <= 100, context);
        long total = 0;
        foreach (var command in script.Commands)
        {
            foreach (var word in command.Words)
            {
                total += word.Text.Length;
            }
        }

        Assert.True(total <= ShellEvaluator.MaxExpandedCharacters + ShellParser.MaxLength, $"{total} characters of words: {context}");
    }

    private static string Excerpt(string input)
        => (input.Length > 200 ? input[..200] + "..." : input).Replace("\n", "⏎", StringComparison.Ordinal);

    /// <summary>One input: a command from fragments, then mutated; every 50th a deep, huge or random one.</summary>
    internal static string Generate(Random random, int index)
    {
        switch (index % 50)
        {
            case 7:
                var open = Fragments[random.Next(Fragments.Length)];
                return string.Concat(Enumerable.Repeat(open, random.Next(1, 3000))) + "x";
            case 17:
                return "cat <<EOF\n" + string.Concat(Enumerable.Repeat("line $x `y` \\$z\n", random.Next(1, 5_000))) + (random.Next(2) == 0 ? "EOF\n" : "");
            case 27:
                var bytes = new char[random.Next(1, 2000)];
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = (char)random.Next(0, random.Next(2) == 0 ? 128 : 0x10000);
                }

                return new string(bytes);
        }

        var sb = new StringBuilder();
        var pieces = random.Next(1, 40);
        for (var i = 0; i < pieces; i++)
        {
            sb.Append(Fragments[random.Next(Fragments.Length)]);
            if (random.Next(3) == 0)
            {
                sb.Append(' ');
            }
        }

        var mutations = random.Next(0, 4);
        for (var m = 0; m < mutations && sb.Length > 0; m++)
        {
            var at = random.Next(sb.Length);
            switch (random.Next(5))
            {
                case 0:
                    sb.Remove(at, Math.Min(random.Next(1, 8), sb.Length - at));
                    break;
                case 1:
                    sb.Insert(at, Metacharacters[random.Next(Metacharacters.Length)]);
                    break;
                case 2:
                    var length = Math.Min(random.Next(1, 30), sb.Length - at);
                    var copy = sb.ToString(at, length);
                    sb.Insert(random.Next(sb.Length), copy);
                    break;
                case 3:
                    sb.Length = at;
                    break;
                default:
                    sb[at] = (char)random.Next(1, 0x3000);
                    break;
            }
        }

        return sb.ToString();
    }
}
