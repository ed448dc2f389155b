namespace AgentGuard.Effects.Shell;

/// <summary>
/// Commands that move data between hosts: ssh (its remote command analysed on the remote host),
/// scp, rsync, sftp, rclone, <c>aws s3</c>, gsutil. Remote operands (<c>[user@]host:path</c>,
/// <c>host::module/path</c>, <c>s3://bucket/key</c>) resolve to resources on their own authority.
/// </summary>
internal static class ShellTransferCommands
{
    private static readonly ShellOptionSpec SshAddSpec = new ShellOptionSpec("tSEHh");
    private static readonly ShellOptionSpec GsutilSpec = new ShellOptionSpec("zxpJ");
    private static readonly ShellOptionSpec SshSpec = new("BbcDEeFIiJLlmOopQRSWw", StopAtOperand: true);
    private static readonly ShellOptionSpec ScpSpec = new("cFiJloPSDX");
    private static readonly ShellOptionSpec SftpSpec = new("BbcDFiJloPRSs");
    private static readonly ShellOptionSpec RsyncSpec = new(
        "efTM",
        ["rsh", "exclude", "include", "filter", "files-from", "exclude-from", "include-from", "log-file", "password-file", "temp-dir", "backup-dir", "suffix",
         "chmod", "chown", "usermap", "groupmap", "port", "bwlimit", "timeout", "contimeout", "partial-dir", "compare-dest", "link-dest", "copy-dest", "remote-option",
         "out-format", "log-file-format", "max-size", "min-size", "max-delete", "info", "debug", "rsync-path", "iconv", "block-size", "checksum-choice", "compress-choice",
         "compress-level", "skip-compress", "modify-window", "address", "sockopts", "outbuf", "stop-after", "stop-at", "write-batch", "only-write-batch", "read-batch", "protocol", "checksum-seed"]);

    private static readonly ShellOptionSpec CloudSpec = new(
        "",
        ["include", "exclude", "profile", "region", "endpoint-url", "acl", "storage-class", "sse", "sse-kms-key-id", "content-type", "cache-control", "metadata",
         "expires", "grants", "config", "transfers", "checkers", "bwlimit", "filter", "filter-from", "exclude-from", "include-from", "files-from", "log-file", "output", "query"]);

    public static void Register(Dictionary<string, ShellCommandHandler> table)
    {
        table["ssh"] = Ssh;
        table["scp"] = Scp;
        table["rsync"] = Rsync;
        table["sftp"] = Sftp;
        table["rclone"] = Rclone;
        table["aws"] = Aws;
        table["gsutil"] = Gsutil;
        table["ssh-add"] = SshAdd;
    }

    /// <summary><c>ssh [options] [user@]HOST [command...]</c>; options may also follow the host.</summary>
    private static void Ssh(ShellEffectCollector c, ShellInvocation inv)
    {
        var words = inv.Words;
        using var args = ShellArguments.Parse(words, inv.First, SshSpec);
        var hostIndex = args.OperandStart;
        if (hostIndex >= words.Count)
        {
            return;
        }

        var commandStart = hostIndex + 1;
        ShellArguments? after = null;
        if (commandStart < words.Count && words[commandStart].Text.StartsWith('-'))
        {
            after = ShellArguments.Parse(words, commandStart, SshSpec);
            commandStart = after.OperandStart;
        }

        var host = HostOf(words[hostIndex].Text);
        if (host.Length == 0)
        {
            return;
        }

        var remote = "host://" + host + "/";
        if (ForwardsAgent(args) || (after is not null && ForwardsAgent(after)))
        {
            c.Add(EffectKind.Egress, "credential://" + c.NamedHost + "/ssh-agent", remote);
        }

        AddIdentity(c, inv, args);
        if (ShellEffectCollector.HasStandardInput(inv.Command))
        {
            c.AddEgressOfInput(inv, remote);
        }

        var readsStart = c.ReadCount;
        if (commandStart < words.Count)
        {
            var command = inv.Join(commandStart);
            if (inv.AnyOpaque(commandStart))
            {
                c.AddOpaque(command);
            }

            c.AnalyzeOnHost(host, command, cwd: null);
        }
        else if (inv.Command.Stdin is { } script)
        {
            c.AnalyzeOnHost(host, script, cwd: null);
        }
        else if (ShellEffectCollector.HasStandardInput(inv.Command))
        {
            c.AddOpaque(inv.Join(inv.Start));
        }

        AddPrintedCopies(c, inv, readsStart);
    }

    /// <summary>
    /// What the remote command prints comes out of ssh's standard output: a copy of each file it
    /// prints to the file that output lands in (<c>ssh h 'cat /data/w' &gt; w</c>, <c>| tee w</c>); a
    /// later pipeline member that sends its input on sends these too.
    /// </summary>
    private static void AddPrintedCopies(ShellEffectCollector c, ShellInvocation inv, int readsStart)
    {
        var printed = c.AddPrintedReads(readsStart);
        if (printed.Count == 0)
        {
            return;
        }

        foreach (var landing in ShellContentOutput.Landings(inv.Command, c.Next(inv.Index)))
        {
            var destination = c.File(landing, inv.Cwd);
            if (destination.IsEmpty)
            {
                continue;
            }

            foreach (var (resource, flags) in printed)
            {
                c.Add(EffectKind.Copy, resource, destination.Uri, null, flags | destination.AsDestination);
            }
        }
    }

    private static bool ForwardsAgent(ShellArguments args)
    {
        foreach (var option in args.Options)
        {
            if (option.Is('A'))
            {
                return true;
            }

            if (option.Is('o') && option.Value is { } value)
            {
                var text = value.Text.Replace(" ", "=", StringComparison.Ordinal);
                if (text.StartsWith("forwardagent", StringComparison.OrdinalIgnoreCase) && !text.EndsWith("=no", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static void AddIdentity(ShellEffectCollector c, ShellInvocation inv, ShellArguments args)
    {
        foreach (var option in args.Options)
        {
            if ((option.Is('i') || option.Is('F')) && option.Value is not null)
            {
                c.AddFile(EffectKind.Read, option.Value, inv.Cwd);
            }
        }
    }

    private static void SshAdd(ShellEffectCollector c, ShellInvocation inv)
    {
        foreach (var operand in inv.Parse(SshAddSpec).Operands)
        {
            c.AddFile(EffectKind.Read, operand, inv.Cwd);
        }
    }

    /// <summary>The host of <c>[user@]host[:port]</c> or <c>ssh://[user@]host[:port]</c>, lower case, without the user.</summary>
    internal static string HostOf(string text)
    {
        var span = text.AsSpan();
        if (span.StartsWith("ssh://"))
        {
            span = span[6..];
            var slash = span.IndexOf('/');
            span = slash < 0 ? span : span[..slash];
        }

        var at = span.LastIndexOf('@');
        span = at < 0 ? span : span[(at + 1)..];
        if (span.StartsWith("["))
        {
            var close = span.IndexOf(']');
            span = close < 0 ? span[1..] : span[1..close];
        }
        else if (span.IndexOf(':') is var colon and > 0 && span[(colon + 1)..].IndexOf(':') < 0)
        {
            span = span[..colon];
        }

        foreach (var ch in span)
        {
            if (char.IsUpper(ch))
            {
                return span.ToString().ToLowerInvariant();
            }
        }

        return span.Length == text.Length ? text : span.ToString();
    }

    /// <summary>
    /// An scp/rsync/rclone operand: <c>[user@]host:path</c>, <c>host::module/path</c>,
    /// <c>rsync://host/module/path</c>, a URL (<c>s3://</c>, <c>gs://</c>), or a local path.
    /// </summary>
    internal static ShellResource Operand(ShellEffectCollector c, ShellWord word, string? cwd, out bool remote)
    {
        var text = word.Text;
        remote = false;
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0 && !text.AsSpan(0, scheme).Contains('/'))
        {
            remote = true;
            if (text.StartsWith("rsync://", StringComparison.OrdinalIgnoreCase))
            {
                var rest = text[8..];
                var slash = rest.IndexOf('/');
                var host = HostOf(slash < 0 ? rest : rest[..slash]);
                var module = slash < 0 ? string.Empty : rest[(slash + 1)..];
                var afterModule = module.IndexOf('/');
                return ShellPaths.ResolveRemote(host, afterModule < 0 ? string.Empty : module[(afterModule + 1)..], word.IsPattern, word.IsOpaque);
            }

            return new ShellResource(ShellNetworkCommands.CanonicalUrl(text), text.AsSpan().IndexOfAny('*', '?', '[') >= 0, word.IsOpaque);
        }

        var colonIndex = RemoteColon(text);
        if (colonIndex < 0)
        {
            return c.File(word, cwd);
        }

        remote = true;
        var hostName = HostOf(text[..colonIndex]);
        var path = text[(colonIndex + 1)..];
        if (path.StartsWith(':'))
        {
            // host::module/path: the module's directory is not known here.
            var slash = path.IndexOf('/');
            path = slash < 0 ? string.Empty : path[(slash + 1)..];
        }

        return ShellPaths.ResolveRemote(hostName, path, word.IsPattern, word.IsOpaque);
    }

    /// <summary>The colon that separates host and path, or -1 for a local path (a slash before any colon, or none).</summary>
    private static int RemoteColon(string text)
    {
        if (text.Length == 0 || text[0] is '/' or '.' or '~')
        {
            return -1;
        }

        var start = 0;
        if (text[0] == '[' || text.Contains("@[", StringComparison.Ordinal))
        {
            start = text.IndexOf(']');
            if (start < 0)
            {
                return -1;
            }
        }

        for (var i = start; i < text.Length; i++)
        {
            if (text[i] == '/')
            {
                return -1;
            }

            if (text[i] == ':')
            {
                return i == 0 ? -1 : i;
            }
        }

        return -1;
    }

    private static void Scp(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(ScpSpec);
        if (args.Has('A') || ForwardsAgent(args))
        {
            // scp -A forwards the agent to every remote operand's host.
            AddAgentForwarding(c, inv, args.Operands);
        }

        AddIdentity(c, inv, args);
        Transfer(c, inv, args.Operands, EffectKind.Copy, recursive: args.Has('r'), freshTime: !args.Has('p'), contentsOfDirectories: false);
    }

    /// <summary>Egress of the shell's ssh agent to the host of every remote operand.</summary>
    private static void AddAgentForwarding(ShellEffectCollector c, ShellInvocation inv, List<ShellWord> operands)
    {
        foreach (var operand in operands)
        {
            var resource = Operand(c, operand, inv.Cwd, out var remote);
            if (remote)
            {
                c.Add(EffectKind.Egress, "credential://" + c.NamedHost + "/ssh-agent", "host://" + HostOfResource(resource.Uri) + "/");
            }
        }
    }

    private static string HostOfResource(string uri)
    {
        var start = uri.IndexOf("://", StringComparison.Ordinal) + 3;
        var slash = uri.IndexOf('/', start);
        return slash < 0 ? uri[start..] : uri[start..slash];
    }

    private static void Rsync(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(RsyncSpec);
        var recursive = args.Has('r') || args.Has('a') || args.Has("recursive") || args.Has("archive");
        var times = args.Has('t') || args.Has('a') || args.Has("times") || args.Has("archive");
        var kind = args.Has("remove-source-files") || args.Has("remove-sent-files") ? EffectKind.Move : EffectKind.Copy;
        foreach (var option in args.Options)
        {
            if ((option.Is("files-from") || option.Is("exclude-from") || option.Is("include-from") || option.Is("password-file")) && option.Value is not null)
            {
                c.AddFile(EffectKind.Read, option.Value, inv.Cwd);
            }
        }

        // rsync -e 'ssh -A' forwards the agent to the remote side.
        if (args.Value('e', "rsh")?.Text is { } shell && (shell.Contains(" -A", StringComparison.Ordinal) || shell.Contains("ForwardAgent=yes", StringComparison.OrdinalIgnoreCase)))
        {
            AddAgentForwarding(c, inv, args.Operands);
        }

        var operands = args.Operands;
        if (operands.Count == 1)
        {
            // rsync SRC alone lists it.
            c.Add(EffectKind.Read, Operand(c, operands[0], inv.Cwd, out _));
            return;
        }

        Transfer(c, inv, operands, kind, recursive, freshTime: !times, contentsOfDirectories: true);
        if (operands.Count >= 2 && (args.Has("delete") || args.Has("delete-after") || args.Has("delete-before") || args.Has("delete-during") || args.Has("delete-excluded")))
        {
            c.Add(EffectKind.Delete, ShellPaths.Under(Operand(c, operands[^1], inv.Cwd, out _)));
        }
    }

    /// <summary>SOURCE... DESTINATION across hosts.</summary>
    private static void Transfer(ShellEffectCollector c, ShellInvocation inv, List<ShellWord> operands, EffectKind kind, bool recursive, bool freshTime, bool contentsOfDirectories)
    {
        if (operands.Count < 2)
        {
            return;
        }

        var destinationWord = operands[^1];
        var destination = Operand(c, destinationWord, inv.Cwd, out _);
        var landing = ShellCopies.LandingOf(operands.Count - 1, destinationWord.Text, targetDirectory: false);
        for (var i = 0; i < operands.Count - 1; i++)
        {
            var source = Operand(c, operands[i], inv.Cwd, out _);
            var sourceLanding = contentsOfDirectories && recursive && operands[i].Text.EndsWith('/') ? ShellCopies.Landing.Contents : landing;
            ShellCopies.Add(c, kind, source, destination, sourceLanding, recursive, freshTime);
        }
    }

    /// <summary>sftp HOST with a batch (<c>-b FILE</c>) or a here-document of commands.</summary>
    private static void Sftp(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(SftpSpec);
        if (args.Operands.Count == 0)
        {
            return;
        }

        var target = args.Operands[0].Text;
        var colon = RemoteColon(target);
        var host = HostOf(colon < 0 ? target : target[..colon]);
        string? batch = inv.Command.Stdin;
        if (args.Value('b') is { } batchFile && batchFile.Text != "-")
        {
            c.AddFile(EffectKind.Read, batchFile, inv.Cwd);
            batch = null;
            c.AddOpaque(inv.Join(inv.Start));
        }

        if (colon >= 0)
        {
            var source = ShellPaths.ResolveRemote(host, target[(colon + 1)..], args.Operands[0].IsPattern, args.Operands[0].IsOpaque);
            var local = args.Operands.Count > 1 ? c.File(args.Operands[1], inv.Cwd) : c.File(new ShellWord("."), inv.Cwd);
            ShellCopies.Add(c, EffectKind.Copy, source, local, ShellCopies.Landing.IntoDirectory, recursive: false, freshTime: false);
        }

        if (batch is null)
        {
            return;
        }

        foreach (var range in batch.AsSpan().Split('\n'))
        {
            var line = batch[range].Trim().TrimStart('-');
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2)
            {
                continue;
            }

            var recursive = parts.Length > 2 && parts[1] == "-r";
            var first = recursive ? 2 : 1;
            if (first >= parts.Length)
            {
                continue;
            }

            switch (parts[0])
            {
                case "put" or "mput" or "reput":
                    var local = c.File(new ShellWord(parts[first], IsPattern: parts[0] == "mput"), inv.Cwd);
                    var remote = ShellPaths.ResolveRemote(host, first + 1 < parts.Length ? parts[first + 1] : string.Empty, false, false);
                    ShellCopies.Add(c, EffectKind.Copy, local, remote, first + 1 < parts.Length ? ShellCopies.Landing.Either : ShellCopies.Landing.IntoDirectory, recursive, freshTime: true);
                    break;
                case "get" or "mget" or "reget":
                    var from = ShellPaths.ResolveRemote(host, parts[first], false, false);
                    var to = first + 1 < parts.Length ? c.File(new ShellWord(parts[first + 1]), inv.Cwd) : c.File(new ShellWord("."), inv.Cwd);
                    ShellCopies.Add(c, EffectKind.Copy, from, to, ShellCopies.Landing.Either, recursive, freshTime: true);
                    break;
                case "rm" or "rmdir":
                    c.Add(EffectKind.Delete, ShellPaths.ResolveRemote(host, parts[first], false, false));
                    break;
                case "rename":
                    if (first + 1 < parts.Length)
                    {
                        c.Add(EffectKind.Move, ShellPaths.ResolveRemote(host, parts[first], false, false), ShellPaths.ResolveRemote(host, parts[first + 1], false, false));
                    }

                    break;
                case "chmod" or "chown" or "chgrp":
                    if (first + 1 < parts.Length)
                    {
                        c.Add(EffectKind.Write, ShellPaths.ResolveRemote(host, parts[first + 1], false, false));
                    }

                    break;
            }
        }
    }

    /// <summary>rclone copy|sync|move|copyto|moveto SRC DST; delete|purge PATH.</summary>
    private static void Rclone(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(CloudSpec);
        var operands = args.Operands;
        if (operands.Count < 2)
        {
            return;
        }

        var verb = operands[0].Text;
        switch (verb)
        {
            case "copy" or "sync" or "copyto" or "move" or "moveto" or "bisync":
                if (operands.Count >= 3)
                {
                    var source = Operand(c, operands[1], inv.Cwd, out _);
                    var destination = Operand(c, operands[2], inv.Cwd, out _);
                    var to = verb.EndsWith("to", StringComparison.Ordinal);
                    ShellCopies.Add(c, verb.StartsWith("move", StringComparison.Ordinal) ? EffectKind.Move : EffectKind.Copy, source, destination, to ? ShellCopies.Landing.AsFile : ShellCopies.Landing.Contents, recursive: !to, freshTime: false);
                }

                break;
            case "delete" or "purge" or "deletefile" or "rmdir" or "rmdirs":
                var target = Operand(c, operands[1], inv.Cwd, out _);
                c.Add(EffectKind.Delete, target);
                c.Add(EffectKind.Delete, ShellPaths.Under(target));
                break;
            case "cat" or "ls" or "lsl" or "lsd" or "size" or "md5sum" or "sha1sum":
                c.Add(EffectKind.Read, Operand(c, operands[1], inv.Cwd, out _));
                break;
        }
    }

    /// <summary>aws s3 cp|mv|sync SRC DST [--recursive]; aws s3 rm URL.</summary>
    private static void Aws(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(CloudSpec);
        var operands = args.Operands;
        if (operands.Count < 3 || operands[0].Text is not ("s3" or "s3api"))
        {
            return;
        }

        var verb = operands[1].Text;
        var recursive = args.Has("recursive") || verb == "sync";
        switch (verb)
        {
            case "cp" or "mv" or "sync":
                if (operands.Count >= 4)
                {
                    var source = Operand(c, operands[2], inv.Cwd, out _);
                    var destination = Operand(c, operands[3], inv.Cwd, out _);
                    var landing = verb == "sync" ? ShellCopies.Landing.Contents : ShellCopies.LandingOf(1, operands[3].Text, false);
                    ShellCopies.Add(c, verb == "mv" ? EffectKind.Move : EffectKind.Copy, source, destination, landing, recursive, freshTime: false);
                }

                break;
            case "rm" or "rb":
                var target = Operand(c, operands[2], inv.Cwd, out _);
                c.Add(EffectKind.Delete, target);
                if (recursive || verb == "rb")
                {
                    c.Add(EffectKind.Delete, ShellPaths.Under(target));
                }

                break;
        }
    }

    /// <summary>gsutil [-m] cp|mv|rsync [-r] SRC... DST; gsutil rm URL.</summary>
    private static void Gsutil(ShellEffectCollector c, ShellInvocation inv)
    {
        var words = inv.Words;
        var i = inv.First;
        while (i < words.Count && words[i].Text.StartsWith('-'))
        {
            i++;
        }

        if (i >= words.Count)
        {
            return;
        }

        var verb = words[i].Text;
        using var args = ShellArguments.Parse(words, i + 1, GsutilSpec);
        var recursive = args.Has('r') || args.Has('R') || verb == "rsync";
        switch (verb)
        {
            case "cp" or "mv" or "rsync":
                if (args.Operands.Count >= 2)
                {
                    var landing = verb == "rsync" ? ShellCopies.Landing.Contents : ShellCopies.LandingOf(args.Operands.Count - 1, args.Operands[^1].Text, false);
                    var destination = Operand(c, args.Operands[^1], inv.Cwd, out _);
                    for (var s = 0; s < args.Operands.Count - 1; s++)
                    {
                        ShellCopies.Add(c, verb == "mv" ? EffectKind.Move : EffectKind.Copy, Operand(c, args.Operands[s], inv.Cwd, out _), destination, landing, recursive, freshTime: false);
                    }
                }

                break;
            case "rm":
                foreach (var operand in args.Operands)
                {
                    var target = Operand(c, operand, inv.Cwd, out _);
                    c.Add(EffectKind.Delete, target);
                    if (recursive)
                    {
                        c.Add(EffectKind.Delete, ShellPaths.Under(target));
                    }
                }

                break;
        }
    }
}
