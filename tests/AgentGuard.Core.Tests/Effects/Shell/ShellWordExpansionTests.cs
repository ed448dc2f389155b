using System.Diagnostics;
using System.Globalization;
using System.Text;
using CsCheck;

namespace AgentGuard.Effects.Shell;

/// <summary>
/// Word expansion agrees with bash itself: generated words mixing every quoting form and escape
/// (no substitutions, no globs) are printed by <c>bash -c 'set -f; printf "%s\0" WORDS'</c> in an
/// empty environment, and the parser's words must be the same strings.
/// </summary>
public class ShellWordExpansionTests
{
    private const string Plain = "abcxyzXYZ0189-_.,/:=@%+^é日";
    private const string AnsiPlain = "ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTVWXYZ .,-/$\"*!é\n";
    private const string SingleQuoted = "ab \n\\$\"*?[]{}~#`!é;|&<>()";
    private const string DoubleQuotedPlain = "ab \n'*?[]{}~#!é;|&<>()";

    private static readonly Gen<string> UnquotedGen = Gen.String[Gen.Char[Plain], 1, 4];

    private static readonly Gen<string> BackslashGen = Gen.Frequency(
        (10, Gen.Char[(char)0x20, (char)0x7e].Select(c => "\\" + c)),
        (1, Gen.Const("\\\n")));

    private static readonly Gen<string> SingleGen = Gen.String[Gen.Char[SingleQuoted], 0, 6].Select(s => "'" + s + "'");

    private static readonly Gen<string> DoubleItemGen = Gen.Frequency(
        (6, Gen.Char[DoubleQuotedPlain].Select(c => c.ToString())),
        (3, Gen.OneOf("\\\"", "\\\\", "\\$", "\\`", "\\a", "\\n", "\\'", "\\*", "\\\n", "$ ")));

    private static readonly Gen<string> DoubleGen = DoubleItemGen.Array[0, 6].Select(items => "\"" + string.Concat(items) + "\"");

    private static readonly Gen<string> LocaleGen = DoubleItemGen.Array[0, 4].Select(items => "$\"" + string.Concat(items) + "\"");

    private static readonly Gen<string> AnsiEscapeGen = Gen.OneOf(
        Gen.OneOf("\\a", "\\b", "\\e", "\\E", "\\f", "\\n", "\\r", "\\t", "\\v", "\\\\", "\\'", "\\\"", "\\?", "\\q", "\\z", "\\k", "\\w", "\\Q", "\\0", "\\x", "\\u", "\\U"),
        Gen.Int[1, 127].Select(Gen.Bool, (v, two) => "\\x" + v.ToString(two || v > 15 ? "x2" : "x", CultureInfo.InvariantCulture)),
        Gen.Int[1, 127].Select(Gen.Bool, (v, three) => "\\" + Octal(v, three)),
        Gen.Int[1, 0xFFFD].Where(v => v is < 0xD800 or > 0xDFFF).Select(Gen.Bool, (v, four) => "\\u" + v.ToString(four || v > 0xFFF ? "x4" : "x", CultureInfo.InvariantCulture)),
        Gen.Int[0x10000, 0x10FFFF].Select(Gen.Bool, (v, eight) => "\\U" + v.ToString(eight ? "x8" : "x", CultureInfo.InvariantCulture)),
        Gen.Char["ABCabcxyzZ?[]"].Select(c => "\\c" + c));

    private static readonly Gen<string> AnsiGen = Gen.Frequency(
        (3, Gen.Char[AnsiPlain].Select(c => c.ToString())),
        (4, AnsiEscapeGen)).Array[0, 6].Select(items => "$'" + string.Concat(items) + "'");

    private static readonly Gen<string> SegmentGen = Gen.Frequency(
        (4, UnquotedGen), (3, BackslashGen), (3, SingleGen), (3, DoubleGen), (4, AnsiGen), (1, LocaleGen));

    /// <summary>A word: segments glued together (the first one never a bare <c>\</c>-newline, which would not start a word).</summary>
    private static readonly Gen<string> WordGen = SegmentGen.Array[1, 5].Select(segments => string.Concat(segments))
        .Where(w => !w.StartsWith("\\\n", StringComparison.Ordinal));

    internal static readonly Gen<string[]> WordsGen = WordGen.Array[1, 30];

    private static string Octal(int value, bool full)
    {
        var digits = Convert.ToString(value, 8);
        return full ? digits.PadLeft(3, '0') : digits;
    }

    [Fact]
    public void Expand_GeneratedWords_EqualWhatBashPrints()
    {
        WordsGen.Sample(words => AssertSameAsBash(words, AnsiCDecoder.Default), iter: 150, threads: 2, print: Show);
    }

    [Fact]
    public void Expand_DecoderWithABrokenEscape_IsCaughtByTheComparison()
    {
        // The same comparison against a decoder that leaves \t as written must fail on the words generated.
        var batches = new List<string[]>();
        WordsGen.Sample(words =>
        {
            lock (batches)
            {
                batches.Add(words);
            }
        }, iter: 150, threads: 1);

        var caught = batches.Where(words => string.Concat(words).Contains("\\t", StringComparison.Ordinal))
            .Any(words => Record.Exception(() => AssertSameAsBash(words, new BrokenTabDecoder())) is not null);
        Assert.True(caught, "the comparison with bash did not notice a decoder that leaves \\t undecoded");
    }

    [Theory]
    [InlineData("$'\\x41\\101\\u00e9\\U0001F600\\cA\\e\\E\\?\\\"\\q'")]
    [InlineData("$'\\x4g\\u12\\18\\c'")]
    [InlineData("$'a\\0b'c $'\\x00' x")]
    [InlineData("a\\ b 'c\"d' \"e'f\" \"\\a\\$\\\"\" $\"g\\\"h\"")]
    [InlineData("\"a\\\nb\" c\\\nd")]
    public void Expand_KnownHardWords_EqualWhatBashPrints(string words)
    {
        AssertSameAsBash([words], AnsiCDecoder.Default);
    }

    private static string Show(string[] words) => string.Join(' ', words.Select(w => w.Replace("\n", "⏎", StringComparison.Ordinal)));

    private static void AssertSameAsBash(string[] words, AnsiCDecoder decoder)
    {
        var source = "set -f; printf '%s\\0' " + string.Join(' ', words);
        var script = ShellParser.Parse(source, null, decoder);
        Assert.True(script.Complete, string.Join("; ", script.Errors));
        var printf = script.Commands[^1];
        Assert.Equal("printf", printf.Words[0].Text);
        var ours = printf.Words.Skip(2).Select(w => w.Text).ToArray();
        Assert.All(printf.Words, w => Assert.False(w.IsPattern || w.IsOpaque, $"'{w.Text}' is a pattern"));
        Assert.Equal(RunBash(source), ours);
    }

    internal static string[] RunBash(string script)
    {
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-i", "LC_ALL=C.UTF-8", "bash", "--norc", "--noprofile", "-c", script])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var output = new MemoryStream();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"bash failed ({process.ExitCode}): {error.Result}");
        var text = Encoding.UTF8.GetString(output.ToArray());
        var fields = text.Split('\0');
        return fields[..^1];
    }

    private sealed class BrokenTabDecoder : AnsiCDecoder
    {
        protected override int Escape(char e) => e == 't' ? -1 : base.Escape(e);
    }
}
