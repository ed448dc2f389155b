namespace AgentGuard.Effects.Shell;

/// <summary>
/// Commands that run another command: the wrapped command is analysed as if written alone
/// (<c>sudo</c>, <c>env</c>, <c>timeout</c>, <c>xargs</c>, <c>find -exec</c>, <c>bash -c</c>, <c>eval</c>...).
/// </summary>
internal static class ShellWrappers
{
    private static readonly ShellOptionSpec PlainSpec = new ShellOptionSpec();
    private static readonly ShellOptionSpec SudoSpec = new("ugpCDrtUTRc", ["user", "group", "prompt", "close-from", "chdir", "role", "type", "other-user", "command-timeout", "chroot", "host"], StopAtOperand: true);
    private static readonly ShellOptionSpec DoasSpec = new("uC", StopAtOperand: true);
    private static readonly ShellOptionSpec TimeoutSpec = new("sk", ["signal", "kill-after"], StopAtOperand: true);
    private static readonly ShellOptionSpec NiceSpec = new("n", ["adjustment"], StopAtOperand: true);
    private static readonly ShellOptionSpec IoniceSpec = new("cnpPu", ["class", "classdata", "pid", "pgid", "uid"], StopAtOperand: true);
    private static readonly ShellOptionSpec StdbufSpec = new("ioe", ["input", "output", "error"], StopAtOperand: true);
    private static readonly ShellOptionSpec ExecSpec = new("a", StopAtOperand: true);
    private static readonly ShellOptionSpec FlagsThenCommand = new(StopAtOperand: true);
    private static readonly ShellOptionSpec XargsSpec = new("IdnLPsaE", ["replace", "max-args", "max-lines", "max-procs", "delimiter", "arg-file", "eof", "max-chars", "process-slot-var"], ShortOptionalValue: "iel", StopAtOperand: true);
    private static readonly ShellOptionSpec WatchSpec = new("nqd", ["interval", "differences"], StopAtOperand: true);
    private static readonly ShellOptionSpec FlockSpec = new("wEc", ["timeout", "conflict-exit-code", "command"], StopAtOperand: true);
    private static readonly ShellOptionSpec SuSpec = new("csgGuw", ["command", "shell", "group", "supp-group", "user", "whitelist-environment", "session-command"], StopAtOperand: true);
    private static readonly ShellOptionSpec SuCommandSpec = SuSpec with { StopAtOperand = false };
    private static readonly ShellOptionSpec ChrootSpec = new("", ["userspec", "groups"], StopAtOperand: true);
    private static readonly ShellOptionSpec DockerExecSpec = new("euwt", ["env", "user", "workdir", "env-file", "detach-keys", "container", "namespace", "filename"], StopAtOperand: true);
    private static readonly ShellOptionSpec SystemdRunSpec = new("puEMHs", ["unit", "property", "description", "slice", "setenv", "uid", "gid", "nice", "working-directory", "on-calendar", "on-active", "machine", "host", "service-type", "timer-property", "path-property", "socket-property"], StopAtOperand: true);
    private static readonly ShellOptionSpec StraceSpec = new("eoOpPsSuIXabEU", StopAtOperand: true);

    public static void Register(Dictionary<string, ShellCommandHandler> table)
    {
        table["sudo"] = (c, inv) => After(c, inv, SudoSpec);
        table["doas"] = (c, inv) => After(c, inv, DoasSpec);
        table["nohup"] = (c, inv) => After(c, inv, FlagsThenCommand);
        table["time"] = (c, inv) => After(c, inv, FlagsThenCommand);
        table["builtin"] = (c, inv) => After(c, inv, FlagsThenCommand);
        table["setsid"] = (c, inv) => After(c, inv, FlagsThenCommand);
        table["unbuffer"] = (c, inv) => After(c, inv, FlagsThenCommand);
        table["torsocks"] = (c, inv) => After(c, inv, FlagsThenCommand);
        table["proxychains"] = (c, inv) => After(c, inv, FlagsThenCommand);
        table["proxychains4"] = (c, inv) => After(c, inv, FlagsThenCommand);
        table["caffeinate"] = (c, inv) => After(c, inv, FlagsThenCommand);
        table["fakeroot"] = (c, inv) => After(c, inv, FlagsThenCommand);
        table["catchsegv"] = (c, inv) => After(c, inv, FlagsThenCommand);
        table["exec"] = (c, inv) => After(c, inv, ExecSpec);
        table["nice"] = (c, inv) => After(c, inv, NiceSpec);
        table["ionice"] = (c, inv) => After(c, inv, IoniceSpec);
        table["stdbuf"] = (c, inv) => After(c, inv, StdbufSpec);
        table["strace"] = (c, inv) => After(c, inv, StraceSpec);
        table["ltrace"] = (c, inv) => After(c, inv, StraceSpec);
        table["systemd-run"] = (c, inv) => After(c, inv, SystemdRunSpec);
        table["timeout"] = (c, inv) => After(c, inv, TimeoutSpec, positional: 1);
        table["chrt"] = (c, inv) => After(c, inv, FlagsThenCommand, positional: 1);
        table["taskset"] = (c, inv) => After(c, inv, FlagsThenCommand, positional: 1);
        table["chroot"] = (c, inv) => After(c, inv, ChrootSpec, positional: 1);
        table["command"] = Command;
        table["env"] = Env;
        table["xargs"] = Xargs;
        table["parallel"] = Parallel;
        table["watch"] = Watch;
        table["flock"] = Flock;
        table["su"] = Su;
        table["runuser"] = Su;
        table["eval"] = Eval;
        table["source"] = Source;
        table["."] = Source;
        table["find"] = ShellFind.Find;
        table["docker"] = Docker;
        table["podman"] = Docker;
        table["busybox"] = (c, inv) => c.Dispatch(inv.From(inv.First));
        foreach (var shell in (string[])["sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "rbash", "busybox-sh"])
        {
            table[shell] = Shell;
        }
    }

    /// <summary>The command after the wrapper's options and <paramref name="positional"/> operands of its own.</summary>
    private static void After(ShellEffectCollector c, ShellInvocation inv, ShellOptionSpec spec, int positional = 0)
    {
        using var args = inv.Parse(spec);
        var start = args.OperandStart + positional;
        if (spec == SudoSpec && start >= inv.Words.Count && (args.Has('s') || args.Has('i')))
        {
            ShellFromStandardInput(c, inv);
            return;
        }

        if (start < inv.Words.Count)
        {
            c.Dispatch(inv.From(start));
        }
    }

    private static void Command(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(FlagsThenCommand);
        if (args.Has('v') || args.Has('V'))
        {
            return;
        }

        if (args.OperandStart < inv.Words.Count)
        {
            c.Dispatch(inv.From(args.OperandStart));
        }
    }

    private static void Env(ShellEffectCollector c, ShellInvocation inv)
    {
        var words = inv.Words;
        for (var i = inv.First; i < words.Count; i++)
        {
            var text = words[i].Text;
            if (text is "-u" or "--unset" or "-C" or "--chdir")
            {
                i++;
                continue;
            }

            if (text is "-S" or "--split-string" || text.StartsWith("-S", StringComparison.Ordinal) || text.StartsWith("--split-string=", StringComparison.Ordinal))
            {
                var split = text is "-S" or "--split-string" ? (i + 1 < words.Count ? words[++i].Text : string.Empty) : text.StartsWith("-S", StringComparison.Ordinal) ? text[2..] : text[15..];
                var rest = i + 1 < words.Count ? " " + ShellServiceCommands.QuotedJoin(inv, i + 1) : string.Empty;
                c.AnalyzeSource(split + rest, inv.Cwd);
                return;
            }

            if (text.StartsWith('-') || (text.Contains('=') && !text.StartsWith('=')))
            {
                continue;
            }

            c.Dispatch(inv.From(i));
            return;
        }
    }

    /// <summary>sh/bash/zsh: <c>-c STRING</c> is analysed as shell; <c>SCRIPT</c> is an exec of the file; standard input is a script too.</summary>
    private static void Shell(ShellEffectCollector c, ShellInvocation inv)
    {
        var words = inv.Words;
        var command = false;
        var i = inv.First;
        for (; i < words.Count; i++)
        {
            var text = words[i].Text;
            if (text.Length < 2 || text[0] is not ('-' or '+') || words[i].IsOpaque)
            {
                break;
            }

            if (text == "--")
            {
                i++;
                break;
            }

            if (text.StartsWith("--", StringComparison.Ordinal))
            {
                if (text is "--rcfile" or "--init-file")
                {
                    i++;
                }

                continue;
            }

            if (text.Contains('c'))
            {
                command = true;
            }

            if (text.Contains('o') || text.Contains('O'))
            {
                i++;
            }
        }

        if (command)
        {
            if (i < words.Count)
            {
                var script = words[i];
                if (i + 1 < words.Count && !script.IsOpaque && script.Text.Contains('$'))
                {
                    script = script with { Text = WithPositionalParameters(script.Text, inv, i + 1) };
                }

                AnalyzeString(c, inv, script, inv.Cwd);
            }

            return;
        }

        if (i < words.Count && words[i].Text != "-")
        {
            c.AddFile(EffectKind.Exec, words[i], inv.Cwd);
            return;
        }

        ShellFromStandardInput(c, inv);
    }

    /// <summary>
    /// <c>sh -c SCRIPT NAME ARGS...</c>: <c>$1</c>... <c>$@</c> in the script replaced by the
    /// arguments (quoted, or as patterns when they are), as <c>find -exec sh -c '... "$1"' _ {} \;</c> uses them.
    /// </summary>
    private static string WithPositionalParameters(string script, ShellInvocation inv, int nameIndex)
    {
        var words = inv.Words;
        var all = new System.Text.StringBuilder();
        for (var i = nameIndex + 1; i < words.Count; i++)
        {
            all.Append(i > nameIndex + 1 ? " " : string.Empty).Append(Quote(words[i]));
        }

        var text = script.Replace("\"$@\"", all.ToString(), StringComparison.Ordinal).Replace("\"$*\"", all.ToString(), StringComparison.Ordinal)
            .Replace("$@", all.ToString(), StringComparison.Ordinal).Replace("$*", all.ToString(), StringComparison.Ordinal);
        for (var n = 9; n >= 0; n--)
        {
            var index = nameIndex + n;
            var value = index < words.Count ? Quote(words[index]) : "''";
            var digit = (char)('0' + n);
            text = text.Replace("\"${" + digit + "}\"", value, StringComparison.Ordinal).Replace("\"$" + digit + "\"", value, StringComparison.Ordinal)
                .Replace("${" + digit + "}", value, StringComparison.Ordinal).Replace("$" + digit, value, StringComparison.Ordinal);
        }

        return text;
    }

    private static string Quote(ShellWord word)
        => word.IsPattern ? word.Text : "'" + word.Text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>A shell reading its script on standard input: analysed when the text is known, opaque otherwise.</summary>
    internal static void ShellFromStandardInput(ShellEffectCollector c, ShellInvocation inv) => CodeFromStandardInput(c, inv, language: null);

    /// <summary>
    /// Code on standard input (a here-document, a pipe, a redirected file): a shell's script is
    /// analysed when the text is known, another language's scanned for names; a redirected file is
    /// an exec of it; unknown input is opaque.
    /// </summary>
    /// <param name="c">The collector.</param>
    /// <param name="inv">The interpreter's invocation.</param>
    /// <param name="language">The interpreter, or <see langword="null"/> for a shell.</param>
    internal static void CodeFromStandardInput(ShellEffectCollector c, ShellInvocation inv, string? language)
    {
        if (inv.Command.Stdin is { } code)
        {
            Read(c, code, inv.Cwd, language);
            return;
        }

        var previous = c.Previous(inv.Index, out _);
        if (previous is not null && StaticOutput(previous) is { } output)
        {
            Read(c, output, inv.Cwd, language);
            return;
        }

        foreach (var redirection in inv.Command.Redirections)
        {
            if (redirection.Descriptor == 0 && redirection.Kind == ShellRedirectionKind.Read)
            {
                c.AddFile(EffectKind.Exec, redirection.Target, inv.Cwd);
                return;
            }
        }

        if (ShellEffectCollector.HasStandardInput(inv.Command))
        {
            c.AddOpaque(previous is null ? inv.Join(inv.Start) : new ShellInvocation(previous, previous.Words, 0, -1).Join(0) + " | " + inv.Join(inv.Start));
        }

        static void Read(ShellEffectCollector c, string code, string? cwd, string? language)
        {
            if (language is null)
            {
                c.AnalyzeSource(code, cwd);
            }
            else
            {
                OpaqueCode.Scan(c, code, cwd, language);
            }
        }
    }

    /// <summary>A string to run as shell (<c>bash -c</c>, <c>eval</c>, <c>su -c</c>): analysed when known; opaque, and scanned for names, otherwise.</summary>
    internal static void AnalyzeString(ShellEffectCollector c, ShellInvocation inv, ShellWord word, string? cwd)
    {
        if (!word.IsOpaque)
        {
            c.AnalyzeSource(word.Text, cwd);
            return;
        }

        // "$(echo ... | base64 -d)": the substitution's last command, just before this one, may print known text.
        var before = c.Before(inv.Index, 1);
        if (before is not null && StaticOutput(before) is { } output)
        {
            c.AnalyzeSource(output, cwd);
            return;
        }

        OpaqueCode.Scan(c, word.Text, cwd);
    }

    /// <summary>
    /// What a command prints when it can be known: echo/printf of literals, cat of a here-document,
    /// base64 -d or xxd -r -p of known input.
    /// </summary>
    internal static string? StaticOutput(ShellCommand command)
        => command.Words.Count == 0 ? null : ShellStaticOutput.Of(command.Words, command.Stdin, command.WorkingDirectory);

    private static void Eval(ShellEffectCollector c, ShellInvocation inv)
    {
        if (inv.ArgumentCount == 0)
        {
            return;
        }

        if (!inv.AnyOpaque(inv.First))
        {
            c.AnalyzeSource(inv.Join(inv.First), inv.Cwd);
            return;
        }

        // eval $(ssh-agent -s) only sets the agent's variables.
        var before = c.Before(inv.Index, 1);
        if (before is not null && before.Words.Count > 0 && ShellEffectCollector.CommandName(before.Words[0].Text) == "ssh-agent" && inv.ArgumentCount == 1)
        {
            return;
        }

        AnalyzeString(c, inv, new ShellWord(inv.Join(inv.First), IsPattern: true, IsOpaque: true), inv.Cwd);
    }

    private static void Source(ShellEffectCollector c, ShellInvocation inv)
    {
        if (inv.ArgumentCount > 0)
        {
            c.AddFile(EffectKind.Exec, inv.Words[inv.First], inv.Cwd);
        }
    }

    private static void Su(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = ShellArguments.Parse(inv.Words, inv.First, SuCommandSpec);
        if (args.Value('c', "command") is { } command)
        {
            AnalyzeString(c, inv, command, inv.Cwd);
            return;
        }

        if (args.Value("session-command") is { } session)
        {
            AnalyzeString(c, inv, session, inv.Cwd);
            return;
        }

        // runuser -u USER -- CMD...
        var words = inv.Words;
        for (var i = inv.First; i < words.Count; i++)
        {
            if (words[i].Text == "--" && i + 1 < words.Count)
            {
                c.Dispatch(inv.From(i + 1));
                return;
            }
        }

        ShellFromStandardInput(c, inv);
    }

    private static void Watch(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(WatchSpec);
        if (args.OperandStart >= inv.Words.Count)
        {
            return;
        }

        if (args.Has('x') || args.Has("exec"))
        {
            c.Dispatch(inv.From(args.OperandStart));
            return;
        }

        AnalyzeString(c, inv, new ShellWord(inv.Join(args.OperandStart), IsOpaque: inv.AnyOpaque(args.OperandStart)), inv.Cwd);
    }

    private static void Flock(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(FlockSpec);
        var start = args.OperandStart + 1;
        if (args.Value('c', "command") is { } command)
        {
            AnalyzeString(c, inv, command, inv.Cwd);
            return;
        }

        var words = inv.Words;
        if (start < words.Count && words[start].Text is "-c" or "--command" && start + 1 < words.Count)
        {
            AnalyzeString(c, inv, words[start + 1], inv.Cwd);
            return;
        }

        if (start < words.Count)
        {
            c.Dispatch(inv.From(start));
        }
    }

    /// <summary>
    /// docker|podman exec CONTAINER CMD... (analysed with the container as host), docker cp, and
    /// stop/kill/rm/pause/restart of containers (lifecycle of <c>container://HOST/NAME</c>).
    /// </summary>
    private static void Docker(ShellEffectCollector c, ShellInvocation inv)
    {
        var words = inv.Words;
        var verb = inv.First;
        while (verb < words.Count && words[verb].Text.StartsWith('-'))
        {
            verb += words[verb].Text is "-H" or "--host" or "--context" or "-c" or "--config" or "-l" or "--log-level" ? 2 : 1;
        }

        if (verb >= words.Count)
        {
            return;
        }

        switch (words[verb].Text)
        {
            case "exec":
                var args = ShellArguments.Parse(words, verb + 1, DockerExecSpec);
                var container = args.OperandStart;
                if (container + 1 < words.Count)
                {
                    c.AnalyzeOnHost(words[container].Text.ToLowerInvariant(), ShellServiceCommands.QuotedJoin(inv, container + 1), cwd: null);
                }

                break;
            case "stop" or "kill" or "rm" or "pause" or "restart" or "update":
                for (var i = verb + 1; i < words.Count; i++)
                {
                    var text = words[i].Text;
                    if (text.StartsWith('-'))
                    {
                        i += text is "-t" or "--time" or "-s" or "--signal" ? 1 : 0;
                        continue;
                    }

                    c.Add(EffectKind.Lifecycle, "container://" + c.NamedHost + "/" + text.ToLowerInvariant(), flags: words[i].IsOpaque ? EffectFlags.Opaque | EffectFlags.ResourcePattern : 0);
                }

                break;
            case "cp":
                var operands = ShellArguments.Parse(words, verb + 1, PlainSpec).Operands;
                if (operands.Count == 2)
                {
                    ShellCopies.Add(c, EffectKind.Copy, Container(c, operands[0], inv.Cwd), Container(c, operands[1], inv.Cwd), ShellCopies.Landing.Either, recursive: true, freshTime: false);
                }

                break;
        }
    }

    private static ShellResource Container(ShellEffectCollector c, ShellWord word, string? cwd)
    {
        var colon = word.Text.IndexOf(':');
        if (colon <= 0 || word.Text[..colon].Contains('/'))
        {
            return c.File(word, cwd);
        }

        return ShellPaths.ResolveRemote(word.Text[..colon].ToLowerInvariant(), word.Text[(colon + 1)..], word.IsPattern, word.IsOpaque);
    }

    /// <summary>
    /// xargs [options] [CMD [ARGS]]: the command runs on the words of its standard input; when the
    /// previous command of the pipeline is find, ls, echo or pgrep, those words are known (as patterns).
    /// </summary>
    private static void Xargs(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(XargsSpec);
        var replace = args.Value('I', "replace")?.Text ?? (args.Has('i') ? args.Value('i')?.Text ?? "{}" : null);
        if (args.Value('a', "arg-file") is { } file)
        {
            c.AddFile(EffectKind.Read, file, inv.Cwd);
        }

        var start = args.OperandStart;
        var items = InputItems(c, inv, args.Value('a', "arg-file") is not null, out var previous);
        if (start >= inv.Words.Count)
        {
            return;
        }

        var name = ShellEffectCollector.CommandName(inv.Words[start].Text);
        if (name is "kill")
        {
            var source = c.Previous(inv.Index, out var index);
            for (var hops = 0; hops < 4 && source is not null && source.Words.Count > 0; hops++)
            {
                if (ShellServiceCommands.AddProcessesFrom(c, source))
                {
                    return;
                }

                source = c.Previous(index, out index);
            }
        }

        RunWithItems(c, inv, start, items, replace);
    }

    /// <summary>Runs the command at <paramref name="start"/> with <paramref name="items"/> appended or substituted for <paramref name="replace"/>.</summary>
    internal static void RunWithItems(ShellEffectCollector c, ShellInvocation inv, int start, List<ShellWord> items, string? replace)
    {
        var words = new List<ShellWord>(inv.Words.Count - start + items.Count);
        for (var i = start; i < inv.Words.Count; i++)
        {
            words.Add(inv.Words[i]);
        }

        if (replace is null || replace.Length == 0)
        {
            words.AddRange(items);
            c.Dispatch(new ShellInvocation(inv.Command, words, 0, inv.Index));
            return;
        }

        foreach (var item in items)
        {
            var substituted = new List<ShellWord>(words.Count);
            foreach (var word in words)
            {
                substituted.Add(Substitute(word, replace, item));
            }

            c.Dispatch(new ShellInvocation(inv.Command, substituted, 0, inv.Index));
        }
    }

    /// <summary><paramref name="word"/> with <paramref name="placeholder"/> replaced by <paramref name="item"/> (a pattern or a literal).</summary>
    internal static ShellWord Substitute(ShellWord word, string placeholder, ShellWord item)
    {
        var index = word.Text.IndexOf(placeholder, StringComparison.Ordinal);
        if (index < 0)
        {
            return word;
        }

        if (word.Text.Length == placeholder.Length)
        {
            return item;
        }

        if (!item.IsPattern && !word.IsPattern)
        {
            return word with { Text = word.Text.Replace(placeholder, item.Text, StringComparison.Ordinal), IsOpaque = word.IsOpaque || item.IsOpaque };
        }

        var prefix = word.Text[..index];
        var suffix = word.Text[(index + placeholder.Length)..];
        var itemText = item.IsPattern ? item.Text : ShellPaths.Escape(item.Text);
        return new ShellWord(
            word.IsPattern ? prefix + itemText + suffix : ShellPaths.Escape(prefix) + itemText + ShellPaths.Escape(suffix),
            IsPattern: true,
            IsOpaque: word.IsOpaque || item.IsOpaque);
    }

    /// <summary>The words xargs or parallel reads: known from find, ls, echo, printf or a here-document; otherwise any path.</summary>
    private static List<ShellWord> InputItems(ShellEffectCollector c, ShellInvocation inv, bool fromFile, out ShellCommand? previous)
    {
        var items = new List<ShellWord>(4);
        previous = fromFile ? null : c.Previous(inv.Index, out _);
        var known = !fromFile && inv.Command.Stdin is { } stdin ? stdin : previous is not null ? StaticOutput(previous) : null;
        if (known is not null)
        {
            foreach (var range in known.AsSpan().SplitAny(" \t\n\0"))
            {
                var item = known[range];
                if (item.Length > 0)
                {
                    items.Add(new ShellWord(item));
                }
            }

            return items;
        }

        if (previous is not null && ShellListings.Items(previous, items))
        {
            return items;
        }

        items.Add(new ShellWord("/**", IsPattern: true, IsOpaque: true));
        return items;
    }

    /// <summary>parallel [options] CMD ::: ARGS...; without ::: it reads standard input as xargs does.</summary>
    private static void Parallel(ShellEffectCollector c, ShellInvocation inv)
    {
        var words = inv.Words;
        var start = inv.First;
        while (start < words.Count && words[start].Text.StartsWith('-'))
        {
            start += words[start].Text is "-j" or "--jobs" or "-S" or "--sshlogin" or "--joblog" or "-I" or "--delay" or "--timeout" ? 2 : 1;
        }

        var separator = -1;
        for (var i = start; i < words.Count; i++)
        {
            if (words[i].Text is ":::" or "::::" or ":::+")
            {
                separator = i;
                break;
            }
        }

        var items = new List<ShellWord>();
        if (separator >= 0)
        {
            for (var i = separator + 1; i < words.Count; i++)
            {
                if (words[i].Text is not (":::" or "::::" or ":::+"))
                {
                    items.Add(words[i]);
                }
            }
        }
        else
        {
            items = InputItems(c, inv, false, out _);
        }

        var end = separator >= 0 ? separator : words.Count;
        if (start >= end)
        {
            return;
        }

        var command = new List<ShellWord>(end - start);
        for (var i = start; i < end; i++)
        {
            command.Add(words[i]);
        }

        var hasPlaceholder = false;
        foreach (var word in command)
        {
            hasPlaceholder |= word.Text.Contains("{}", StringComparison.Ordinal);
        }

        var invocation = new ShellInvocation(inv.Command, command, 0, inv.Index);
        if (command.Count == 1 && command[0].Text.Contains(' '))
        {
            foreach (var item in items)
            {
                AnalyzeString(c, inv, Substitute(command[0], "{}", item), inv.Cwd);
            }

            return;
        }

        RunWithItems(c, invocation, 0, items, hasPlaceholder ? "{}" : null);
    }
}
