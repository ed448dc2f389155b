namespace AgentGuard.Effects.Shell;

/// <summary>
/// find: the files it selects are the pattern <c>DIR/**</c>, narrowed by <c>-name</c>, <c>-iname</c>,
/// <c>-path</c> and <c>-maxdepth</c>; <c>-delete</c> deletes them, <c>-exec CMD {} ;</c> runs CMD on
/// them, and without an action they are read (listed).
/// </summary>
internal static class ShellFind
{
    public static void Find(ShellEffectCollector c, ShellInvocation inv)
    {
        var words = inv.Words;
        var matches = new List<ShellWord>(2);
        var paths = Matches(words, inv.First, matches);
        foreach (var path in paths)
        {
            c.AddFile(EffectKind.Read, path, inv.Cwd);
        }

        var acted = false;
        for (var i = inv.First; i < words.Count; i++)
        {
            var text = words[i].Text;
            switch (text)
            {
                case "-delete":
                    acted = true;
                    foreach (var match in matches)
                    {
                        c.AddFile(EffectKind.Delete, match, inv.Cwd);
                    }

                    break;
                case "-exec" or "-execdir" or "-ok" or "-okdir":
                    acted = true;
                    var end = i + 1;
                    while (end < words.Count && words[end].Text is not (";" or "+" or "\\;"))
                    {
                        end++;
                    }

                    if (end > i + 1)
                    {
                        var command = new List<ShellWord>(end - i - 1);
                        for (var j = i + 1; j < end; j++)
                        {
                            command.Add(words[j]);
                        }

                        ShellWrappers.RunWithItems(c, new ShellInvocation(inv.Command, command, 0, inv.Index), 0, matches, "{}");
                    }

                    i = end;
                    break;
                case "-fprint" or "-fprint0" or "-fls" or "-fprintf":
                    if (i + 1 < words.Count)
                    {
                        c.AddFile(EffectKind.Write, words[i + 1], inv.Cwd);
                    }

                    i += text == "-fprintf" ? 2 : 1;
                    break;
            }
        }

        if (!acted)
        {
            foreach (var match in matches)
            {
                c.AddFile(EffectKind.Read, match, inv.Cwd);
            }
        }
    }

    /// <summary>Adds to <paramref name="matches"/> a pattern word for what find selects; returns the starting paths.</summary>
    public static List<ShellWord> Matches(IReadOnlyList<ShellWord> words, int start, List<ShellWord> matches)
    {
        var i = start;
        while (i < words.Count && words[i].Text is "-H" or "-L" or "-P" || (i < words.Count && words[i].Text.StartsWith("-O", StringComparison.Ordinal)))
        {
            i++;
        }

        if (i < words.Count && words[i].Text == "-D")
        {
            i += 2;
        }

        var paths = new List<ShellWord>(1);
        while (i < words.Count && !IsExpressionStart(words[i].Text))
        {
            paths.Add(words[i]);
            i++;
        }

        if (paths.Count == 0)
        {
            paths.Add(new ShellWord("."));
        }

        var names = new List<string>(1);
        var pathPatterns = new List<string>(0);
        var unfiltered = false;
        var maxDepth = int.MaxValue;
        var negated = false;
        for (; i < words.Count; i++)
        {
            var text = words[i].Text;
            if (text is "!" or "-not")
            {
                negated = true;
                continue;
            }

            if (text is "-exec" or "-execdir" or "-ok" or "-okdir")
            {
                while (i < words.Count && words[i].Text is not (";" or "+" or "\\;"))
                {
                    i++;
                }

                negated = false;
                continue;
            }

            if (i + 1 < words.Count)
            {
                var value = words[i + 1];
                switch (text)
                {
                    case "-name" or "-iname" or "-lname" or "-ilname":
                        if (negated || value.IsOpaque)
                        {
                            unfiltered = true;
                        }
                        else
                        {
                            names.Add(text[1] == 'i' ? CaseInsensitive(value.Text) : value.Text);
                        }

                        i++;
                        break;
                    case "-path" or "-ipath" or "-wholename" or "-iwholename":
                        if (negated || value.IsOpaque)
                        {
                            unfiltered = true;
                        }
                        else
                        {
                            pathPatterns.Add(text[1] == 'i' ? CaseInsensitive(value.Text) : value.Text);
                        }

                        i++;
                        break;
                    case "-regex" or "-iregex":
                        unfiltered = true;
                        i++;
                        break;
                    case "-maxdepth":
                        if (int.TryParse(value.Text, out var depth))
                        {
                            maxDepth = depth;
                        }

                        i++;
                        break;
                    case "-o" or "-or":
                        break;
                    case "-newer" or "-type" or "-mindepth" or "-size" or "-mtime" or "-mmin" or "-user" or "-group" or "-perm" or "-samefile" or "-printf" or "-fprint" or "-fls" or "-fprint0" or "-atime" or "-ctime" or "-amin" or "-cmin" or "-uid" or "-gid" or "-links" or "-inum" or "-used" or "-fstype" or "-context":
                        i++;
                        break;
                }
            }

            negated = false;
        }

        foreach (var path in paths)
        {
            var prefix = (path.IsPattern ? path.Text : ShellPaths.Escape(path.Text)).TrimEnd('/');
            var any = maxDepth switch { 0 => string.Empty, 1 => "/", _ => "/**/" };
            if (maxDepth == 0)
            {
                matches.Add(path);
                continue;
            }

            if (unfiltered || (names.Count == 0 && pathPatterns.Count == 0))
            {
                matches.Add(path);
                matches.Add(new ShellWord(prefix + (maxDepth == 1 ? "/*" : "/**"), IsPattern: true, IsOpaque: path.IsOpaque));
                continue;
            }

            foreach (var name in names)
            {
                matches.Add(new ShellWord(prefix + any + name, IsPattern: true, IsOpaque: path.IsOpaque));
            }

            // find's -path '*' also matches '/': the pattern names the last segments of a path anywhere below, or a directory above them.
            foreach (var pattern in pathPatterns)
            {
                var tail = pattern.StartsWith(prefix + "/", StringComparison.Ordinal) ? pattern[(prefix.Length + 1)..] : pattern.TrimStart('*').TrimStart('/');
                tail = tail.TrimStart('*').Length == 0 ? "**" : pattern.StartsWith('*') ? "*" + tail : tail;
                matches.Add(new ShellWord(prefix + "/**/" + tail, IsPattern: true, IsOpaque: path.IsOpaque));
                matches.Add(new ShellWord(prefix + "/**/" + tail + "/**", IsPattern: true, IsOpaque: path.IsOpaque));
            }
        }

        return paths;
    }

    private static bool IsExpressionStart(string text)
        => text.Length > 0 && (text[0] == '-' && text.Length > 1 || text is "(" or "!" or "," or ")" or "\\(");

    /// <summary>A glob that matches <paramref name="pattern"/> in any case: each letter outside brackets becomes <c>[aA]</c>.</summary>
    internal static string CaseInsensitive(string pattern)
    {
        var builder = new System.Text.StringBuilder(pattern.Length * 4);
        var inBracket = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var ch = pattern[i];
            if (ch == '\\' && i + 1 < pattern.Length)
            {
                builder.Append(ch).Append(pattern[++i]);
                continue;
            }

            if (inBracket)
            {
                builder.Append(ch);
                if (char.IsAsciiLetter(ch))
                {
                    builder.Append(char.IsAsciiLetterUpper(ch) ? char.ToLowerInvariant(ch) : char.ToUpperInvariant(ch));
                }

                inBracket = ch != ']';
                continue;
            }

            if (ch == '[')
            {
                inBracket = true;
                builder.Append(ch);
            }
            else if (char.IsAsciiLetter(ch))
            {
                builder.Append('[').Append(char.ToLowerInvariant(ch)).Append(char.ToUpperInvariant(ch)).Append(']');
            }
            else
            {
                builder.Append(ch);
            }
        }

        return builder.ToString();
    }
}
