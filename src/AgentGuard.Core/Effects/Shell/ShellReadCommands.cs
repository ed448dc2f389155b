namespace AgentGuard.Effects.Shell;

/// <summary>Commands that read their file operands (cat, grep, head, ls, jq, yq without -i...), with the few options that write.</summary>
internal static class ShellReadCommands
{
    private static readonly ShellOptionSpec GrepSpec = new("efmABCdD", ["regexp", "file", "max-count", "after-context", "before-context", "context", "include", "exclude", "exclude-dir", "exclude-from", "label", "binary-files", "devices", "directories"]);
    private static readonly ShellOptionSpec RgSpec = new("efgmABCtTMjE", ["regexp", "file", "glob", "iglob", "max-count", "after-context", "before-context", "context", "type", "type-not", "max-columns", "threads", "encoding", "replace", "pre", "sort", "sortr", "max-depth", "ignore-file"]);
    private static readonly ShellOptionSpec HeadSpec = new("nc", ["lines", "bytes", "pid", "sleep-interval", "max-unchanged-stats"]);
    private static readonly ShellOptionSpec SortSpec = new("ktoST", ["key", "field-separator", "output", "buffer-size", "temporary-directory", "parallel", "files0-from", "compress-program", "batch-size"]);
    private static readonly ShellOptionSpec CutSpec = new("bcdf", ["bytes", "characters", "delimiter", "fields", "output-delimiter"]);
    private static readonly ShellOptionSpec UniqSpec = new("fsw", ["skip-fields", "skip-chars", "check-chars", "group", "all-repeated"]);
    private static readonly ShellOptionSpec LsSpec = new("IwT", ["ignore", "hide", "format", "sort", "time", "width", "tabsize", "block-size", "quoting-style", "indicator-style", "time-style"]);
    private static readonly ShellOptionSpec YqSpec = new("opIPd", ["output-format", "input-format", "indent", "expression", "from-file", "front-matter", "split-exp", "arg"]);
    private static readonly ShellOptionSpec PlainSpec = new("nNwtsdLOx", ["lines", "format", "printf"]);

    public static void Register(Dictionary<string, ShellCommandHandler> table)
    {
        foreach (var name in (string[])["cat", "tac", "nl", "less", "more", "most", "bat", "batcat", "view", "wc", "stat", "file", "md5sum", "sha1sum", "sha224sum",
                     "sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum", "sum", "strings", "xxd", "od", "hexdump", "hd", "readlink", "realpath", "diff", "cmp",
                     "comm", "paste", "join", "column", "fold", "fmt", "pr", "expand", "unexpand", "rev", "zcat", "zless", "zmore", "bzcat", "xzcat", "zstdcat",
                     "lsattr", "getfacl", "base64", "base32", "basenc", "sha", "numfmt", "shuf", "csvlook", "colordiff", "vimdiff", "sdiff", "diff3", "ldd", "nm", "objdump", "readelf", "exiftool", "identify", "pdftotext", "du", "tree", "namei", "test"])
        {
            table[name] = Plain;
        }

        table["head"] = Head;
        table["tail"] = Head;
        table["ls"] = Ls;
        table["ll"] = Ls;
        table["dir"] = Ls;
        table["vdir"] = Ls;
        table["exa"] = Ls;
        table["eza"] = Ls;
        table["grep"] = Grep;
        table["egrep"] = Grep;
        table["fgrep"] = Grep;
        table["zgrep"] = Grep;
        table["rg"] = Rg;
        table["ag"] = Rg;
        table["ack"] = Rg;
        table["sort"] = Sort;
        table["cut"] = Cut;
        table["uniq"] = Uniq;
        table["jq"] = Jq;
        table["gojq"] = Jq;
        table["yq"] = Yq;
    }

    private static void ReadAll(ShellEffectCollector c, ShellInvocation inv, List<ShellWord> operands, int first = 0, bool recursive = false)
    {
        for (var i = first; i < operands.Count; i++)
        {
            c.AddFile(EffectKind.Read, operands[i], inv.Cwd, recursive);
        }
    }

    private static void Plain(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(PlainSpec);
        ReadAll(c, inv, args.Operands);
    }

    private static void Head(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(HeadSpec);
        ReadAll(c, inv, args.Operands);
    }

    private static void Ls(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(LsSpec);
        var recursive = args.Has('R') || args.Has("recursive");
        if (args.Operands.Count == 0 && recursive)
        {
            c.Add(EffectKind.Read, ShellPaths.Resolve(c.Host, "**", pattern: true, opaque: false, inv.Cwd));
        }

        ReadAll(c, inv, args.Operands, recursive: recursive);
    }

    private static void Grep(ShellEffectCollector c, ShellInvocation inv) => Search(c, inv, GrepSpec, recursiveByDefault: false);

    private static void Rg(ShellEffectCollector c, ShellInvocation inv) => Search(c, inv, RgSpec, recursiveByDefault: true);

    /// <summary>grep-like: the pattern is the first operand unless given by -e/-f.</summary>
    private static void Search(ShellEffectCollector c, ShellInvocation inv, ShellOptionSpec spec, bool recursiveByDefault)
    {
        using var args = inv.Parse(spec);
        var patternGiven = false;
        foreach (var option in args.Options)
        {
            if (option.Is('e') || option.Is("regexp"))
            {
                patternGiven = true;
            }
            else if ((option.Is('f') || option.Is("file")) && option.Value is not null)
            {
                patternGiven = true;
                c.AddFile(EffectKind.Read, option.Value, inv.Cwd);
            }
        }

        var recursive = recursiveByDefault || args.Has('r') || args.Has('R') || args.Has("recursive") || args.Has("dereference-recursive");
        var first = patternGiven ? 0 : 1;
        if (args.Operands.Count <= first && recursive)
        {
            c.Add(EffectKind.Read, ShellPaths.Resolve(c.Host, "**", pattern: true, opaque: false, inv.Cwd));
        }

        ReadAll(c, inv, args.Operands, first, recursive);
    }

    private static void Sort(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(SortSpec);
        ReadAll(c, inv, args.Operands);
        if (args.Value('o', "output") is { } output)
        {
            c.AddFile(EffectKind.Write, output, inv.Cwd);
        }
    }

    private static void Cut(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(CutSpec);
        ReadAll(c, inv, args.Operands);
    }

    private static void Uniq(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(UniqSpec);
        var operands = args.Operands;
        if (operands.Count > 0)
        {
            c.AddFile(EffectKind.Read, operands[0], inv.Cwd);
        }

        if (operands.Count > 1)
        {
            c.AddFile(EffectKind.Write, operands[1], inv.Cwd);
        }
    }

    /// <summary>jq: the filter is the first operand unless -f; --arg/--argjson take two words, --slurpfile/--rawfile read a file.</summary>
    private static void Jq(ShellEffectCollector c, ShellInvocation inv)
    {
        var words = inv.Words;
        var filterSeen = false;
        for (var i = inv.First; i < words.Count; i++)
        {
            var text = words[i].Text;
            switch (text)
            {
                case "--arg" or "--argjson":
                    i += 2;
                    continue;
                case "--slurpfile" or "--rawfile":
                    if (i + 2 < words.Count)
                    {
                        c.AddFile(EffectKind.Read, words[i + 2], inv.Cwd);
                    }

                    i += 2;
                    continue;
                case "-f" or "--from-file":
                    if (i + 1 < words.Count)
                    {
                        c.AddFile(EffectKind.Read, words[i + 1], inv.Cwd);
                    }

                    filterSeen = true;
                    i++;
                    continue;
                case "--indent":
                    i++;
                    continue;
                case "--args" or "--jsonargs":
                    return;
            }

            if (text.Length > 1 && text[0] == '-')
            {
                continue;
            }

            if (!filterSeen)
            {
                filterSeen = true;
                continue;
            }

            c.AddFile(EffectKind.Read, words[i], inv.Cwd);
        }
    }

    /// <summary>yq: <c>yq [eval|e|eval-all|ea] [-i] EXPRESSION FILE...</c>; -i writes the files.</summary>
    private static void Yq(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(YqSpec);
        var operands = args.Operands;
        var first = 0;
        if (operands.Count > 0 && operands[0].Text is "eval" or "e" or "eval-all" or "ea")
        {
            first = 1;
        }

        string? expression = args.Value("expression")?.Text;
        if (args.Value("from-file") is { } file)
        {
            c.AddFile(EffectKind.Read, file, inv.Cwd);
            expression = string.Empty;
        }

        if (expression is null && operands.Count > first)
        {
            expression = operands[first].Text;
            first++;
        }

        var inPlace = args.Has('i') || args.Has("inplace");
        for (var i = first; i < operands.Count; i++)
        {
            c.AddFile(inPlace ? EffectKind.Write : EffectKind.Read, operands[i], inv.Cwd, value: inPlace ? expression : null);
        }
    }
}
