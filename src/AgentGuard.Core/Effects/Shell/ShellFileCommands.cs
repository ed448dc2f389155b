namespace AgentGuard.Effects.Shell;

/// <summary>Commands that copy, move, remove, write, or change files' metadata.</summary>
internal static class ShellFileCommands
{
    private static readonly ShellOptionSpec CpSpec = new("tS", ["target-directory", "suffix", "backup", "reflink", "sparse"]);
    private static readonly ShellOptionSpec InstallSpec = new("gmotSZ", ["group", "mode", "owner", "target-directory", "suffix", "strip-program"]);
    private static readonly ShellOptionSpec LnSpec = new("St", ["suffix", "target-directory"]);
    private static readonly ShellOptionSpec TouchSpec = new("dtr", ["date", "reference", "time"]);
    private static readonly ShellOptionSpec TruncateSpec = new("sr", ["size", "reference"]);
    private static readonly ShellOptionSpec MkdirSpec = new("mZ", ["mode", "context"]);
    private static readonly ShellOptionSpec ShredSpec = new("ns", ["iterations", "size", "random-source"]);
    private static readonly ShellOptionSpec MktempSpec = new("p", ["tmpdir", "suffix"]);
    private static readonly ShellOptionSpec SedSpec = new("efl", ["expression", "file", "line-length"], ShortOptionalValue: "i");
    private static readonly ShellOptionSpec AwkSpec = new("fvFiE", ["file", "assign", "field-separator", "include", "exec", "load"]);
    private static readonly ShellOptionSpec PatchSpec = new("pioBDdFrVYzgD", ["strip", "input", "output", "directory", "reject-file", "backup-if-mismatch", "suffix"]);
    private static readonly ShellOptionSpec EditorSpec = new("cSuTwWt", ["cmd", "eval", "load"]);

    public static void Register(Dictionary<string, ShellCommandHandler> table)
    {
        table["cp"] = Cp;
        table["mv"] = Mv;
        table["install"] = Install;
        table["rm"] = Rm;
        table["rmdir"] = Delete;
        table["unlink"] = Delete;
        table["shred"] = Shred;
        table["srm"] = Delete;
        table["ln"] = Ln;
        table["dd"] = Dd;
        table["touch"] = Touch;
        table["truncate"] = Truncate;
        table["chmod"] = ChangeMode;
        table["chown"] = ChangeMode;
        table["chgrp"] = ChangeMode;
        table["chattr"] = ChangeMode;
        table["setfacl"] = ChangeMode;
        table["mkdir"] = Mkdir;
        table["mktemp"] = Mktemp;
        table["tee"] = Tee;
        table["sponge"] = Tee;
        table["sed"] = Sed;
        table["gsed"] = Sed;
        table["awk"] = Awk;
        table["gawk"] = Awk;
        table["mawk"] = Awk;
        table["nawk"] = Awk;
        table["patch"] = Patch;
        foreach (var editor in (string[])["vi", "vim", "nvim", "nano", "pico", "emacs", "ed", "ex", "joe", "micro", "mcedit", "kate", "gedit", "code", "subl", "red", "jed", "vis", "kak", "hx"])
        {
            table[editor] = Edit;
        }
    }

    private static void Cp(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(CpSpec);
        var recursive = args.Has('r') || args.Has('R') || args.Has('a') || args.Has("recursive") || args.Has("archive");
        var preserve = args.Has('p') || args.Has('a') || args.Has("archive") || PreservesTime(args.Value("preserve"), args.Has("preserve"));
        CopyOperands(c, inv, args, EffectKind.Copy, recursive, freshTime: !preserve);
    }

    private static void Mv(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(CpSpec);
        CopyOperands(c, inv, args, EffectKind.Move, recursive: true, freshTime: false);
    }

    private static void Install(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(InstallSpec);
        if (args.Has('d') || args.Has("directory"))
        {
            foreach (var operand in args.Operands)
            {
                c.AddFile(EffectKind.Write, operand, inv.Cwd);
            }

            return;
        }

        CopyOperands(c, inv, args, EffectKind.Copy, recursive: false, freshTime: !(args.Has('p') || args.Has("preserve-timestamps")));
    }

    /// <summary>cp/mv/install operands: <c>SOURCE... DEST</c> or <c>-t DIR SOURCE...</c>.</summary>
    private static void CopyOperands(ShellEffectCollector c, ShellInvocation inv, ShellArguments args, EffectKind kind, bool recursive, bool freshTime)
    {
        var target = args.Value('t', "target-directory");
        var operands = args.Operands;
        var noTargetDirectory = args.Has('T') || args.Has("no-target-directory");
        int sourceCount;
        ShellWord? destination;
        if (target is not null)
        {
            destination = target;
            sourceCount = operands.Count;
        }
        else if (operands.Count >= 2)
        {
            destination = operands[^1];
            sourceCount = operands.Count - 1;
        }
        else
        {
            // One operand: nothing is copied (an error), but read it anyway.
            foreach (var operand in operands)
            {
                c.AddFile(EffectKind.Read, operand, inv.Cwd);
            }

            return;
        }

        var landing = noTargetDirectory ? ShellCopies.Landing.AsFile : ShellCopies.LandingOf(sourceCount, destination.Text, target is not null);
        var destinationResource = c.File(destination, inv.Cwd);
        for (var i = 0; i < sourceCount; i++)
        {
            var source = c.File(operands[i], inv.Cwd);
            ShellCopies.Add(c, kind, source, destinationResource, landing, recursive, freshTime);
        }
    }

    internal static bool PreservesTime(ShellWord? value, bool present)
    {
        if (value is null)
        {
            return present;
        }

        return value.Text.Contains("timestamps", StringComparison.Ordinal) || value.Text.Contains("all", StringComparison.Ordinal);
    }

    private static void Rm(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(ShellOptionSpec.Flags);
        var recursive = args.Has('r') || args.Has('R') || args.Has("recursive");
        foreach (var operand in args.Operands)
        {
            c.AddFile(EffectKind.Delete, operand, inv.Cwd, recursive);
        }
    }

    private static void Delete(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(ShellOptionSpec.Flags);
        foreach (var operand in args.Operands)
        {
            c.AddFile(EffectKind.Delete, operand, inv.Cwd);
        }
    }

    private static void Shred(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(ShredSpec);
        var remove = args.Has('u') || args.Has("remove");
        foreach (var operand in args.Operands)
        {
            c.AddFile(EffectKind.Write, operand, inv.Cwd);
            if (remove)
            {
                c.AddFile(EffectKind.Delete, operand, inv.Cwd);
            }
        }
    }

    private static void Ln(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(LnSpec);
        var operands = args.Operands;
        var target = args.Value('t', "target-directory");
        var linkCount = target is null ? (operands.Count > 1 ? operands.Count - 1 : operands.Count) : operands.Count;
        for (var i = 0; i < linkCount; i++)
        {
            var source = c.AddFile(EffectKind.Read, operands[i], inv.Cwd);
            if (source.IsEmpty)
            {
                continue;
            }

            if (target is not null || operands.Count > 2)
            {
                c.Add(EffectKind.Write, ShellPaths.Landing(c.File(target ?? operands[^1], inv.Cwd), source));
            }
            else if (operands.Count == 1)
            {
                c.Add(EffectKind.Write, ShellPaths.Landing(c.File(new ShellWord("."), inv.Cwd), source));
            }
        }

        if (target is null && operands.Count == 2)
        {
            var link = c.File(operands[1], inv.Cwd);
            c.Add(EffectKind.Write, link);
            if (operands[1].Text.EndsWith('/'))
            {
                c.Add(EffectKind.Write, ShellPaths.Landing(link, c.File(operands[0], inv.Cwd)));
            }
        }
    }

    private static void Dd(ShellEffectCollector c, ShellInvocation inv)
    {
        for (var i = inv.First; i < inv.Words.Count; i++)
        {
            var word = inv.Words[i];
            if (word.Text.StartsWith("if=", StringComparison.Ordinal))
            {
                c.AddFile(EffectKind.Read, word with { Text = word.Text[3..] }, inv.Cwd);
            }
            else if (word.Text.StartsWith("of=", StringComparison.Ordinal))
            {
                c.AddFile(EffectKind.Write, word with { Text = word.Text[3..] }, inv.Cwd);
            }
        }
    }

    private static void Touch(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(TouchSpec);
        if (args.Value('r', "reference") is { } reference)
        {
            c.AddFile(EffectKind.Read, reference, inv.Cwd);
        }

        foreach (var operand in args.Operands)
        {
            c.AddFile(EffectKind.SetTime, operand, inv.Cwd);
        }
    }

    private static void Truncate(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(TruncateSpec);
        if (args.Value('r', "reference") is { } reference)
        {
            c.AddFile(EffectKind.Read, reference, inv.Cwd);
        }

        foreach (var operand in args.Operands)
        {
            c.AddFile(EffectKind.Write, operand, inv.Cwd);
        }
    }

    /// <summary>chmod, chown, chgrp, chattr, setfacl: the first operand is a mode or owner (<c>-w</c>, <c>+i</c> included), the rest are files.</summary>
    private static void ChangeMode(ShellEffectCollector c, ShellInvocation inv)
    {
        var name = ShellEffectCollector.CommandName(inv.Name.Text);
        var recursive = false;
        var modeSeen = false;
        for (var i = inv.First; i < inv.Words.Count; i++)
        {
            var word = inv.Words[i];
            var text = word.Text;
            if (text is "-R" or "--recursive" or "-Rf" or "-fR" or "-Rv" or "-vR")
            {
                recursive = true;
                continue;
            }

            if (text is "-c" or "-f" or "-v" or "-h" or "-H" or "-L" or "-P" or "-V" or "--changes" or "--silent" or "--quiet" or "--verbose"
                || text.StartsWith("--no-", StringComparison.Ordinal) || text.StartsWith("--preserve", StringComparison.Ordinal)
                || text.StartsWith("--from", StringComparison.Ordinal) || text.StartsWith("--dereference", StringComparison.Ordinal))
            {
                continue;
            }

            if (text.StartsWith("--reference=", StringComparison.Ordinal))
            {
                c.AddFile(EffectKind.Read, word with { Text = text[12..] }, inv.Cwd);
                modeSeen = true;
                continue;
            }

            if (name is "setfacl" && text is "-m" or "-x" or "-M" or "-X" or "--modify" or "--remove" && i + 1 < inv.Words.Count)
            {
                i++;
                modeSeen = true;
                continue;
            }

            if (!modeSeen)
            {
                modeSeen = name is not "setfacl" || !(text.Length > 1 && text[0] == '-');
                continue;
            }

            c.AddFile(EffectKind.Write, word, inv.Cwd, recursive);
        }
    }

    private static void Mkdir(ShellEffectCollector c, ShellInvocation inv)
    {
        foreach (var operand in inv.Parse(MkdirSpec).Operands)
        {
            c.AddFile(EffectKind.Write, operand, inv.Cwd);
        }
    }

    private static void Mktemp(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(MktempSpec);
        var directory = args.Value('p', "tmpdir")?.Text ?? "/tmp";
        var template = args.Operands.Count > 0 ? args.Operands[0].Text : "tmp.XXXXXXXXXX";
        var pattern = ShellPaths.Escape(template).Replace("XXX", "*", StringComparison.Ordinal).Replace("X*", "*", StringComparison.Ordinal).Replace("**", "*", StringComparison.Ordinal);
        var path = template.Contains('/') ? pattern : ShellPaths.Escape(directory) + "/" + pattern;
        c.Add(EffectKind.Write, ShellPaths.Resolve(c.Host, path, pattern: true, opaque: false, inv.Cwd));
    }

    private static void Tee(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(ShellOptionSpec.Flags);
        var start = c.ReadCount;
        foreach (var operand in args.Operands)
        {
            var written = c.AddFile(EffectKind.Write, operand, inv.Cwd, value: inv.Command.Stdin);
            c.AddCopiesOfOutput(inv.Command, inv.Index, start, written);
        }
    }

    private static void Sed(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(SedSpec);
        var inPlace = args.Has('i') || args.Has("in-place") || args.Has('I');
        string? script = null;
        foreach (var option in args.Options)
        {
            if ((option.Is('e') || option.Is("expression")) && option.Value is not null)
            {
                script = script is null ? option.Value.Text : script + "\n" + option.Value.Text;
            }
            else if ((option.Is('f') || option.Is("file")) && option.Value is not null)
            {
                c.AddFile(EffectKind.Read, option.Value, inv.Cwd);
                script ??= string.Empty;
            }
        }

        var first = 0;
        if (script is null && args.Operands.Count > 0)
        {
            script = args.Operands[0].Text;
            first = 1;
        }

        for (var i = first; i < args.Operands.Count; i++)
        {
            c.AddFile(inPlace ? EffectKind.Write : EffectKind.Read, args.Operands[i], inv.Cwd, value: inPlace ? script : null);
        }

        // GNU sed's 'e' command and 'w FILE' write or run things from inside the script.
        if (script is not null && (script.Contains("w ", StringComparison.Ordinal) || script.Contains("/e", StringComparison.Ordinal)) && !inPlace)
        {
            OpaqueCode.Scan(c, script, inv.Cwd);
        }
    }

    private static void Awk(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(AwkSpec);
        var inPlace = false;
        string? program = null;
        foreach (var option in args.Options)
        {
            if ((option.Is('i') || option.Is("include")) && option.Value?.Text is "inplace" or "inplace.awk")
            {
                inPlace = true;
            }
            else if ((option.Is('f') || option.Is("file")) && option.Value is not null)
            {
                c.AddFile(EffectKind.Read, option.Value, inv.Cwd);
                program = string.Empty;
            }
        }

        var first = 0;
        if (program is null && args.Operands.Count > 0)
        {
            program = args.Operands[0].Text;
            first = 1;
        }

        for (var i = first; i < args.Operands.Count; i++)
        {
            var operand = args.Operands[i];
            if (operand.Text.Contains('=') && !operand.Text.Contains('/'))
            {
                continue;
            }

            c.AddFile(inPlace ? EffectKind.Write : EffectKind.Read, operand, inv.Cwd, value: inPlace ? program : null);
        }

        // system(), getline from a command, print > FILE: the program does more than read.
        if (program is not null && (program.Contains("system", StringComparison.Ordinal) || program.Contains('>') || program.Contains('|')))
        {
            OpaqueCode.Scan(c, program, inv.Cwd);
        }
    }

    private static void Patch(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(PatchSpec);
        var cwd = args.Value('d', "directory") is { } directory && directory.Text.StartsWith('/') ? directory.Text : inv.Cwd;
        if (args.Value('i', "input") is { } input)
        {
            c.AddFile(EffectKind.Read, input, inv.Cwd);
        }

        if (args.Value('o', "output") is { } output)
        {
            c.AddFile(EffectKind.Write, output, inv.Cwd);
            return;
        }

        if (args.Operands.Count > 0)
        {
            c.AddFile(EffectKind.Write, args.Operands[0], cwd);
            if (args.Operands.Count > 1)
            {
                c.AddFile(EffectKind.Read, args.Operands[1], inv.Cwd);
            }

            return;
        }

        var strip = int.TryParse(args.Value('p', "strip")?.Text, out var p) ? p : -1;
        var body = inv.Command.Stdin;
        var found = false;
        if (body is not null)
        {
            foreach (var range in body.AsSpan().Split('\n'))
            {
                var line = body.AsSpan(range.Start.Value, range.End.Value - range.Start.Value);
                if (!line.StartsWith("+++ "))
                {
                    continue;
                }

                var name = line[4..];
                var tab = name.IndexOfAny('\t', ' ');
                name = tab < 0 ? name : name[..tab];
                for (var s = 0; s < strip && name.IndexOf('/') >= 0; s++)
                {
                    name = name[(name.IndexOf('/') + 1)..];
                }

                c.AddFile(EffectKind.Write, new ShellWord(name.ToString()), cwd);
                found = true;
            }
        }

        if (!found)
        {
            // The patch names its files; without it, any file under the directory.
            c.Add(EffectKind.Write, ShellPaths.Resolve(c.Host, "**", pattern: true, opaque: false, cwd));
        }
    }

    private static void Edit(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(EditorSpec);
        foreach (var operand in args.Operands)
        {
            if (operand.Text.Length > 0 && operand.Text[0] != '+')
            {
                c.AddFile(EffectKind.Write, operand, inv.Cwd);
            }
        }
    }
}
