namespace AgentGuard.Effects.Shell;

/// <summary>
/// The names a listing command prints, as words: what xargs passes on, or what <c>$(...)</c> of
/// it yields. find prints the paths it selects, ls its file operands (and the names in a directory
/// operand), <c>grep -l</c> the files among its operands.
/// </summary>
internal static class ShellListings
{
    private static readonly ShellOptionSpec GrepSpec = new("efmABCdD", ["regexp", "file", "max-count", "include", "exclude", "exclude-dir"]);

    /// <summary>Adds the words <paramref name="source"/> prints; false when they are not known.</summary>
    public static bool Items(ShellCommand source, List<ShellWord> items)
    {
        if (source.Words.Count == 0 || source.Words[0].IsOpaque)
        {
            return false;
        }

        var start = items.Count;
        switch (ShellEffectCollector.CommandName(source.Words[0].Text))
        {
            case "find":
                ShellFind.Matches(source.Words, 1, items);
                return items.Count > start;
            case "ls":
                var args = ShellArguments.Parse(source.Words, 1, ShellOptionSpec.Flags);
                var directoriesAsFiles = args.Has('d') || args.Has("directory");
                foreach (var operand in args.Operands)
                {
                    items.Add(operand);

                    // ls DIR prints the names in DIR, relative to it.
                    if (!operand.IsPattern && !directoriesAsFiles)
                    {
                        items.Add(new ShellWord("*", IsPattern: true, IsOpaque: operand.IsOpaque));
                    }
                }

                if (args.Operands.Count == 0)
                {
                    items.Add(new ShellWord("*", IsPattern: true));
                }

                return true;
            case "grep" or "egrep" or "fgrep" or "rg":
                var grep = ShellArguments.Parse(source.Words, 1, GrepSpec);
                if (!(grep.Has('l') || grep.Has("files-with-matches") || grep.Has('L') || grep.Has("files-without-match")))
                {
                    return false;
                }

                var patternGiven = grep.Value('e', "regexp") is not null || grep.Value('f', "file") is not null;
                var recursive = grep.Has('r') || grep.Has('R') || grep.Has("recursive");
                for (var i = patternGiven ? 0 : 1; i < grep.Operands.Count; i++)
                {
                    var operand = grep.Operands[i];
                    items.Add(operand);
                    if (recursive)
                    {
                        items.Add(new ShellWord(ShellPaths.Below(operand, "**"), IsPattern: true, IsOpaque: operand.IsOpaque));
                    }
                }

                return items.Count > start;
            default:
                return false;
        }
    }

    /// <summary>
    /// A command whose word is wholly a command substitution of a listing (<c>cp $(ls /data/*.bin) /tmp</c>):
    /// the word replaced by what the listing prints. The substitution's commands come just before
    /// the command that uses them, in their own pipeline.
    /// </summary>
    public static ShellCommand WithSubstitutedListings(ShellCommand command, ShellCommand? before)
    {
        if (before is null || before.Pipeline == command.Pipeline)
        {
            return command;
        }

        var at = -1;
        for (var i = 1; i < command.Words.Count; i++)
        {
            var word = command.Words[i];
            if (word.IsOpaque && word.Text == "*")
            {
                if (at >= 0)
                {
                    // Two substitutions: which listing feeds which word is not followed.
                    return command;
                }

                at = i;
            }
        }

        if (at < 0)
        {
            return command;
        }

        var items = new List<ShellWord>(4);
        if (!Items(before, items))
        {
            return command;
        }

        var words = new List<ShellWord>(command.Words.Count + items.Count);
        for (var i = 0; i < command.Words.Count; i++)
        {
            if (i == at)
            {
                words.AddRange(items);
            }
            else
            {
                words.Add(command.Words[i]);
            }
        }

        return command with { Words = words };
    }
}
