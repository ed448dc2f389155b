namespace AgentGuard.Effects.Shell;

/// <summary>
/// Which commands print the content of what they read on standard output (<c>cat</c>, <c>tar c -f -</c>,
/// <c>dd</c> without <c>of=</c>, <c>gzip -c</c>, <c>base64</c>...), and where a command's standard output
/// lands in a file (<c>&gt; f</c>, the next pipeline member's <c>tee f</c>, <c>dd of=f</c>, <c>cat &gt; f</c>).
/// A read whose content is printed by the remote command of ssh is a copy to wherever ssh's output goes.
/// </summary>
internal static class ShellContentOutput
{
    private static readonly HashSet<string> Printers =
    [
        "cat", "tac", "nl", "strings", "xxd", "od", "hexdump", "hd", "rev", "zcat", "bzcat", "xzcat", "zstdcat", "base64", "base32", "basenc",
        "head", "tail", "paste", "fold", "fmt", "pr", "expand", "unexpand", "column", "sort", "uniq", "cut", "shuf", "pv", "tee", "sed", "tr",
    ];

    private static readonly HashSet<string> Compressors = ["gzip", "bzip2", "xz", "zstd", "lz4", "lzma", "pigz", "gunzip", "bunzip2", "unxz", "unzstd"];

    private static readonly HashSet<string> Wrappers = ["sudo", "doas", "nice", "nohup", "time", "exec", "command", "stdbuf", "ionice", "env", "timeout"];

    /// <summary>Whether <paramref name="command"/> prints the content of the files it reads (or of its input) on standard output.</summary>
    public static bool PrintsContent(ShellCommand command)
    {
        var words = command.Words;
        var start = 0;
        while (start < words.Count && Wrappers.Contains(ShellEffectCollector.CommandName(words[start].Text)))
        {
            start++;
            while (start < words.Count && (words[start].Text.StartsWith('-') || words[start].Text.Contains('=') || !IsCommandName(words[start].Text)))
            {
                start++;
            }
        }

        if (start >= words.Count)
        {
            return false;
        }

        var name = ShellEffectCollector.CommandName(words[start].Text);
        if (Printers.Contains(name))
        {
            return !(name == "sed" && Any(words, start, w => w.StartsWith("-i", StringComparison.Ordinal) || w == "--in-place"));
        }

        return name switch
        {
            "dd" => !Any(words, start, w => w.StartsWith("of=", StringComparison.Ordinal)),
            "tar" or "gtar" or "bsdtar" => TarPrints(words, start),
            "openssl" => !Any(words, start, w => w == "-out"),
            _ when Compressors.Contains(name) => Any(words, start, w => w is "-c" or "--stdout" or "--to-stdout" || (w.Length > 1 && w[0] == '-' && w[1] != '-' && w.Contains('c')))
                                                 || !Any(words, start, w => !w.StartsWith('-')),
            _ => false,
        };
    }

    /// <summary>Whether standard output of <paramref name="command"/> is redirected away from its pipe or the terminal (to a file, not <c>/dev/stdout</c>).</summary>
    public static bool RedirectsOutput(ShellCommand command)
    {
        foreach (var redirection in command.Redirections)
        {
            if (redirection.Descriptor == 1 && redirection.Kind is ShellRedirectionKind.Write or ShellRedirectionKind.Append or ShellRedirectionKind.ReadWrite
                && redirection.Target.Text != "/dev/stdout")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The files the output of a command lands in: its own standard-output redirections, and when
    /// <paramref name="next"/> (the next pipeline member) passes its input on, where that one writes
    /// it (<c>tee f</c>, <c>dd of=f</c>, a printer's <c>&gt; f</c>).
    /// </summary>
    public static List<ShellWord> Landings(ShellCommand command, ShellCommand? next)
    {
        var landings = new List<ShellWord>();
        AddRedirections(command, landings);
        if (next is null || next.Words.Count == 0)
        {
            return landings;
        }

        var name = ShellEffectCollector.CommandName(next.Words[0].Text);
        if (name is "tee" or "sponge")
        {
            for (var i = 1; i < next.Words.Count; i++)
            {
                if (!next.Words[i].Text.StartsWith('-'))
                {
                    landings.Add(next.Words[i]);
                }
            }
        }
        else if (name == "dd")
        {
            foreach (var word in next.Words)
            {
                if (word.Text.StartsWith("of=", StringComparison.Ordinal))
                {
                    landings.Add(word with { Text = word.Text[3..] });
                }
            }
        }

        if (PrintsContent(next))
        {
            AddRedirections(next, landings);
        }

        return landings;
    }

    private static void AddRedirections(ShellCommand command, List<ShellWord> landings)
    {
        foreach (var redirection in command.Redirections)
        {
            if (redirection.Descriptor == 1 && redirection.Kind is ShellRedirectionKind.Write or ShellRedirectionKind.Append or ShellRedirectionKind.ReadWrite
                && !ShellEffectCollector.IsIgnoredDevice(redirection.Target) && !redirection.Target.Text.StartsWith("/dev/", StringComparison.Ordinal))
            {
                landings.Add(redirection.Target);
            }
        }
    }

    private static bool TarPrints(IReadOnlyList<ShellWord> words, int start)
    {
        if (start + 1 >= words.Count)
        {
            return false;
        }

        // Old style bundles letters without a dash (tar czf - dir): the archive is the next word.
        var first = words[start + 1].Text;
        var letters = first.StartsWith("--", StringComparison.Ordinal) ? string.Empty : first.TrimStart('-');
        var create = letters.Contains('c') || Any(words, start, w => w == "--create");
        if (!create)
        {
            return false;
        }

        for (var i = start + 1; i < words.Count; i++)
        {
            var text = words[i].Text;
            if (text is "-f" or "--file" || (i == start + 1 && text.EndsWith('f')))
            {
                return i + 1 < words.Count && words[i + 1].Text == "-";
            }

            if (text.StartsWith("--file=", StringComparison.Ordinal))
            {
                return text == "--file=-";
            }
        }

        return true;
    }

    private static bool IsCommandName(string text) => text.Length > 0 && (char.IsAsciiLetter(text[0]) || text[0] == '/');

    private static bool Any(IReadOnlyList<ShellWord> words, int start, Func<string, bool> test)
    {
        for (var i = start + 1; i < words.Count; i++)
        {
            if (test(words[i].Text))
            {
                return true;
            }
        }

        return false;
    }
}
