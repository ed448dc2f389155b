namespace AgentGuard.Effects.Shell;

/// <summary>tar, zip, unzip and the compressors: what goes into an archive is read, what comes out is written.</summary>
internal static class ShellArchiveCommands
{
    private static readonly ShellOptionSpec TarSpec = new(
        "fCTXbgKNVIHL",
        ["file", "directory", "files-from", "exclude-from", "exclude", "use-compress-program", "to-command", "transform", "xform", "newer", "after-date",
         "owner", "group", "mode", "mtime", "blocking-factor", "label", "format", "listed-incremental", "suffix", "info-script", "new-volume-script", "rsh-command", "checkpoint-action", "index-file", "backup"]);

    private static readonly ShellOptionSpec ZipSpec = new("bnPtxiZ", ["temp-path", "suffixes", "password", "exclude", "include", "compression-method"]);
    private static readonly ShellOptionSpec UnzipSpec = new("dxP", []);
    private static readonly ShellOptionSpec CompressSpec = new("S", ["suffix"]);

    public static void Register(Dictionary<string, ShellCommandHandler> table)
    {
        table["tar"] = Tar;
        table["gtar"] = Tar;
        table["bsdtar"] = Tar;
        table["zip"] = Zip;
        table["unzip"] = Unzip;
        foreach (var name in (string[])["gzip", "bzip2", "xz", "zstd", "lz4", "lzma", "compress", "pigz"])
        {
            table[name] = Compress;
        }

        foreach (var name in (string[])["gunzip", "bunzip2", "unxz", "unzstd", "unlzma", "uncompress"])
        {
            table[name] = Decompress;
        }
    }

    private static void Tar(ShellEffectCollector c, ShellInvocation inv)
    {
        // Old style: the first argument is a bundle of letters without a dash (tar czf a.tgz dir).
        var words = inv.Words;
        IReadOnlyList<ShellWord> arguments = words;
        var first = inv.First;
        if (first < words.Count && words[first].Text.Length > 0 && words[first].Text[0] != '-' && !words[first].IsOpaque)
        {
            var list = new List<ShellWord>(words.Count + 1);
            for (var i = 0; i < first; i++)
            {
                list.Add(words[i]);
            }

            list.Add(words[first] with { Text = "-" + words[first].Text });
            for (var i = first + 1; i < words.Count; i++)
            {
                list.Add(words[i]);
            }

            arguments = list;
        }

        using var args = ShellArguments.Parse(arguments, first, TarSpec);
        var create = args.Has('c') || args.Has("create") || args.Has('r') || args.Has("append") || args.Has('u') || args.Has("update") || args.Has('A') || args.Has("catenate");
        var extract = args.Has('x') || args.Has("extract") || args.Has("get");
        var delete = args.Has("delete");
        var archive = args.Value('f', "file");
        var directory = args.Value('C', "directory");
        if (args.Value('T', "files-from") is { } list2)
        {
            c.AddFile(EffectKind.Read, list2, inv.Cwd);
        }

        if (create)
        {
            var packed = archive is null || ShellEffectCollector.IsIgnoredDevice(archive) ? default : c.File(archive, inv.Cwd);
            foreach (var operand in args.Operands)
            {
                var source = c.AddFile(EffectKind.Read, InDirectory(directory, operand), inv.Cwd, recursive: true);
                AddPacked(c, source, packed);
            }

            if (archive is not null)
            {
                c.AddFile(EffectKind.Write, archive, inv.Cwd);
            }

            return;
        }

        if (archive is not null)
        {
            c.AddFile(delete ? EffectKind.Write : EffectKind.Read, archive, inv.Cwd);
        }

        if (!extract)
        {
            return;
        }

        if (args.Value("to-command") is { } command)
        {
            OpaqueCode.Scan(c, command.Text, inv.Cwd);
        }

        if (args.Has('O') || args.Has("to-stdout"))
        {
            return;
        }

        if (args.Operands.Count == 0)
        {
            c.AddFile(EffectKind.Write, InDirectory(directory, new ShellWord("**", IsPattern: true)), inv.Cwd);
        }

        foreach (var member in args.Operands)
        {
            c.AddFile(EffectKind.Write, InDirectory(directory, member), inv.Cwd, recursive: true);
        }
    }

    /// <summary><paramref name="word"/> relative to <paramref name="directory"/> (tar -C, unzip -d) unless absolute.</summary>
    /// <summary>
    /// Packing a named file into an archive copies it there: weights packed into <c>notes.tgz</c>
    /// are still weights. What a packed folder holds is left to its reads: every folder could hold
    /// weights, and archiving one is ordinary work.
    /// </summary>
    private static void AddPacked(ShellEffectCollector c, ShellResource source, ShellResource archive)
    {
        if (!source.IsEmpty && !archive.IsEmpty)
        {
            c.Add(EffectKind.Copy, source, archive);
        }
    }

    private static ShellWord InDirectory(ShellWord? directory, ShellWord word)
    {
        if (directory is null || word.Text.StartsWith('/'))
        {
            return word;
        }

        if (!directory.IsPattern && !word.IsPattern)
        {
            return word with { Text = directory.Text.TrimEnd('/') + "/" + word.Text, IsOpaque = word.IsOpaque || directory.IsOpaque };
        }

        return new ShellWord(ShellPaths.Below(directory, word.IsPattern ? word.Text : ShellPaths.Escape(word.Text)), IsPattern: true, IsOpaque: word.IsOpaque || directory.IsOpaque);
    }

    private static void Zip(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(ZipSpec);
        if (args.Operands.Count == 0)
        {
            return;
        }

        var recursive = args.Has('r') || args.Has("recurse-paths") || args.Has('R');
        var move = args.Has('m') || args.Has("move");
        var packed = c.AddFile(EffectKind.Write, args.Operands[0], inv.Cwd);
        for (var i = 1; i < args.Operands.Count; i++)
        {
            var source = c.AddFile(EffectKind.Read, args.Operands[i], inv.Cwd, recursive);
            AddPacked(c, source, packed);
            if (move)
            {
                c.AddFile(EffectKind.Delete, args.Operands[i], inv.Cwd, recursive);
            }
        }
    }

    private static void Unzip(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(UnzipSpec);
        if (args.Operands.Count == 0)
        {
            return;
        }

        c.AddFile(EffectKind.Read, args.Operands[0], inv.Cwd);
        if (args.Has('l') || args.Has('t') || args.Has('p') || args.Has('v') || args.Has('Z'))
        {
            return;
        }

        var directory = args.Value('d');
        if (args.Operands.Count == 1)
        {
            c.AddFile(EffectKind.Write, InDirectory(directory, new ShellWord("**", IsPattern: true)), inv.Cwd);
        }

        for (var i = 1; i < args.Operands.Count; i++)
        {
            c.AddFile(EffectKind.Write, InDirectory(directory, args.Operands[i]), inv.Cwd);
        }
    }

    private static void Compress(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(CompressSpec);
        if (args.Has('d') || args.Has("decompress"))
        {
            Decompress(c, inv);
            return;
        }

        var toStdout = args.Has('c') || args.Has("stdout");
        var keep = toStdout || args.Has('k') || args.Has("keep");
        var recursive = args.Has('r') || args.Has("recursive");
        var suffix = args.Value('S', "suffix")?.Text ?? Suffix(ShellEffectCollector.CommandName(inv.Name.Text));
        foreach (var operand in args.Operands)
        {
            var source = c.AddFile(EffectKind.Read, operand, inv.Cwd, recursive);
            if (toStdout || source.IsEmpty)
            {
                continue;
            }

            c.AddFile(EffectKind.Write, operand with { Text = operand.Text + suffix }, inv.Cwd);
            if (!keep)
            {
                c.AddFile(EffectKind.Delete, operand, inv.Cwd, recursive);
            }
        }
    }

    private static void Decompress(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(CompressSpec);
        var toStdout = args.Has('c') || args.Has("stdout");
        var keep = toStdout || args.Has('k') || args.Has("keep");
        foreach (var operand in args.Operands)
        {
            var source = c.AddFile(EffectKind.Read, operand, inv.Cwd);
            if (toStdout || source.IsEmpty)
            {
                continue;
            }

            var dot = operand.Text.LastIndexOf('.');
            var slash = operand.Text.LastIndexOf('/');
            c.AddFile(EffectKind.Write, operand with { Text = dot > slash + 1 ? operand.Text[..dot] : operand.Text + ".out" }, inv.Cwd);
            if (!keep)
            {
                c.AddFile(EffectKind.Delete, operand, inv.Cwd);
            }
        }
    }

    private static string Suffix(string name) => name switch
    {
        "bzip2" => ".bz2",
        "xz" => ".xz",
        "zstd" => ".zst",
        "lz4" => ".lz4",
        "lzma" => ".lzma",
        "compress" => ".Z",
        _ => ".gz",
    };
}
