namespace AgentGuard.Effects.Shell;

/// <summary>
/// Gathers the effects of one analysis: resolves words to resources on the current host, keeps
/// each effect once, and re-enters the analyser for nested scripts (<c>bash -c</c>, <c>ssh HOST
/// CMD</c>, <c>eval</c>) within a depth limit.
/// </summary>
internal sealed class ShellEffectCollector
{
    /// <summary>Nested scripts deeper than this are opaque (a bound on work for hostile input).</summary>
    public const int MaxDepth = 8;

    /// <summary>Effects past this many are dropped and the analysis is opaque.</summary>
    public const int MaxEffects = 1024;

    public const string OpaqueResource = "shell:opaque";

    /// <summary>The pattern for any file, for what an analysis had to leave out.</summary>
    public const string Everything = "file:///**";

    // A thread's reads list, lent to one collector at a time (a nested analysis finds none and makes its own).
    [ThreadStatic]
    private static List<(ShellScript Script, int Index, string Resource, EffectFlags Flags)>? t_reads;

    private readonly List<Effect> effects;

    // Every read by command of script, kept even when the effect itself was already there, so that
    // a pipeline's later commands know what earlier ones read (their input is its output).
    private readonly List<(ShellScript Script, int Index, string Resource, EffectFlags Flags)> reads;
    private ShellScript? script;
    private int current = -1;

    public ShellEffectCollector(ShellContext context)
        : this(context, new List<Effect>(8))
    {
    }

    /// <summary>A collector that gathers into <paramref name="effects"/> (empty) instead of a list of its own.</summary>
    public ShellEffectCollector(ShellContext context, List<Effect> effects)
        : this(context.Host, effects)
    {
    }

    /// <summary>A collector for a shell on <paramref name="host"/> (empty: the guard's machine) that gathers into <paramref name="effects"/> (empty).</summary>
    public ShellEffectCollector(string? host, List<Effect> effects)
    {
        Host = host ?? string.Empty;
        this.effects = effects;
        reads = t_reads ?? [];
        t_reads = null;
    }

    /// <summary>The host paths live on: empty for the guard's machine.</summary>
    public string Host { get; private set; }

    /// <summary>The host non-file resources name (<c>localhost</c> for the guard's machine).</summary>
    public string NamedHost => Host.Length == 0 ? "localhost" : Host;

    public int Depth { get; private set; }

    public bool IsOpaque { get; private set; }

    public List<Effect> Effects => effects;

    /// <summary>The analysis; the collector is not used after this (the list is handed over, not copied).</summary>
    public ShellAnalysis ToAnalysis()
    {
        Release();
        return new(effects.AsReadOnly(), IsOpaque);
    }

    /// <summary>Ends the analysis: the reads list goes back to the thread, emptied (it holds the agent's names).</summary>
    public void Release()
    {
        reads.Clear();
        t_reads = reads;
    }

    public void Add(EffectKind kind, string resource, string? destination = null, string? value = null, EffectFlags flags = EffectFlags.None)
    {
        // An operand that names nothing (an empty word: the shell refuses it before the command runs) has no effect.
        if (resource is null)
        {
            return;
        }

        if ((flags & EffectFlags.Opaque) != 0)
        {
            IsOpaque = true;
        }

        if (kind == EffectKind.Read && script is not null && reads.Count < MaxEffects)
        {
            reads.Add((script, current, resource, flags & (EffectFlags.ResourcePattern | EffectFlags.Opaque)));
        }

        foreach (var existing in effects)
        {
            if (existing.Kind == kind && existing.Flags == flags && existing.Resource == resource && existing.Destination == destination && existing.Value == value)
            {
                return;
            }
        }

        if (effects.Count >= MaxEffects)
        {
            // Past the limit, whatever was left out could name anything: one effect says so.
            if (!IsOpaque || effects[^1].Resource != Everything)
            {
                effects.Add(new Effect(EffectKind.Exec, Everything, Flags: EffectFlags.ResourcePattern | EffectFlags.Opaque));
            }

            IsOpaque = true;
            return;
        }

        effects.Add(new Effect(kind, resource, destination, value, flags));
    }

    public void Add(EffectKind kind, ShellResource resource, string? value = null, EffectFlags extra = EffectFlags.None)
    {
        if (!resource.IsEmpty)
        {
            Add(kind, resource.Uri, null, value, resource.AsResource | extra);
        }
    }

    public void Add(EffectKind kind, ShellResource resource, ShellResource destination, string? value = null)
    {
        if (!resource.IsEmpty && !destination.IsEmpty)
        {
            Add(kind, resource.Uri, destination.Uri, value, resource.AsResource | destination.AsDestination);
        }
    }

    public void AddOpaque(string code) => Add(EffectKind.Exec, OpaqueResource, null, code, EffectFlags.Opaque);

    public ShellResource File(ShellWord word, string? cwd) => ShellPaths.Resolve(Host, word, cwd);

    /// <summary>Adds <paramref name="kind"/> on the file <paramref name="word"/> names, and on everything under it when <paramref name="recursive"/>.</summary>
    public ShellResource AddFile(EffectKind kind, ShellWord word, string? cwd, bool recursive = false, string? value = null)
    {
        if (IsIgnoredDevice(word))
        {
            return default;
        }

        var resource = File(word, cwd);
        Add(kind, resource, value);
        if (recursive && !resource.IsEmpty && ShellPaths.MayBeDirectory(resource))
        {
            Add(kind, ShellPaths.Under(resource), value);
        }

        return resource;
    }

    /// <summary>Standard streams and the null device: no file is touched.</summary>
    public static bool IsIgnoredDevice(ShellWord word)
        => word.Text is "-" or "/dev/null" or "/dev/stdout" or "/dev/stderr" or "/dev/stdin" or "/dev/tty" or "/dev/zero" or "/dev/urandom" or "/dev/random"
           || word.Text.StartsWith("/dev/fd/", StringComparison.Ordinal)
           || word.Text.StartsWith("/proc/self/fd/", StringComparison.Ordinal);

    /// <summary>Analyses <paramref name="source"/> as shell on the current host.</summary>
    public void AnalyzeSource(string source, string? cwd)
    {
        if (Depth >= MaxDepth)
        {
            OpaqueCode.Scan(this, source, cwd);
            return;
        }

        AnalyzeScript(ShellParser.Parse(source, cwd), source);
    }

    /// <summary>Analyses <paramref name="source"/> as shell on <paramref name="host"/> (the remote command of ssh).</summary>
    public void AnalyzeOnHost(string host, string source, string? cwd)
    {
        var saved = Host;
        Host = host;
        try
        {
            AnalyzeSource(source, cwd);
        }
        finally
        {
            Host = saved;
        }
    }

    public void AnalyzeScript(ShellScript parsed, string source)
    {
        var savedScript = script;
        var savedCurrent = current;
        Depth++;
        try
        {
            if (parsed.Errors.Count > 0)
            {
                OpaqueCode.Scan(this, source, cwd: null);
            }

            script = parsed;
            var commands = parsed.Commands;
            for (var i = 0; i < commands.Count; i++)
            {
                current = i;
                AnalyzeCommand(commands[i], i);
            }
        }
        finally
        {
            Depth--;
            script = savedScript;
            current = savedCurrent;
        }
    }

    /// <summary>Analyses one command given as argv, outside any script.</summary>
    public void AnalyzeArgv(ShellCommand command)
    {
        AnalyzeScript(new ShellScript([command], []), string.Empty);
    }

    private void AnalyzeCommand(ShellCommand command, int index)
    {
        var start = reads.Count;
        ShellRedirections.AddInputs(this, command);
        if (command.Words.Count > 0)
        {
            var expanded = index > 0 ? ShellListings.WithSubstitutedListings(command, script!.Commands[index - 1]) : command;
            Dispatch(new ShellInvocation(command, expanded.Words, 0, index));
        }

        ShellRedirections.AddOutputs(this, command, index, start);
    }

    /// <summary>Runs the handler for the command named at <paramref name="invocation"/>'s start.</summary>
    public void Dispatch(ShellInvocation invocation)
    {
        if (invocation.Start >= invocation.Words.Count)
        {
            return;
        }

        if (Depth > MaxDepth)
        {
            AddOpaque(invocation.Join(invocation.Start));
            return;
        }

        var name = invocation.Name;
        if (name.IsOpaque)
        {
            ShellUnknownCommands.Computed(this, invocation);
            return;
        }

        if (ShellCommandTable.TryGet(CommandName(name.Text), out var handler))
        {
            handler(this, invocation);
        }
        else
        {
            ShellUnknownCommands.Unknown(this, invocation);
        }
    }

    /// <summary>The name commands are looked up by: the base name of a system binary (<c>/usr/bin/rm</c>), versions dropped (<c>python3.12</c>).</summary>
    public static string CommandName(string text)
    {
        var slash = text.LastIndexOf('/');
        if (slash >= 0)
        {
            if (!(text.StartsWith("/bin/", StringComparison.Ordinal) || text.StartsWith("/usr/", StringComparison.Ordinal)
                  || text.StartsWith("/sbin/", StringComparison.Ordinal) || text.StartsWith("/opt/", StringComparison.Ordinal)))
            {
                return text;
            }

            text = text[(slash + 1)..];
        }

        if (text.StartsWith("python", StringComparison.Ordinal) && text.Length > 6 && text.Length < 12 && char.IsAsciiDigit(text[^1]))
        {
            return text.Contains('.') ? "python3" : text;
        }

        return text;
    }

    /// <summary>The command before <paramref name="index"/> in its pipeline (its output is this one's input), or <see langword="null"/>.</summary>
    public ShellCommand? Previous(int index, out int previousIndex)
    {
        previousIndex = -1;
        if (script is null || index < 0 || index >= script.Commands.Count)
        {
            return null;
        }

        var command = script.Commands[index];
        if (command.PipelineIndex == 0)
        {
            return null;
        }

        for (var i = index - 1; i >= 0; i--)
        {
            var candidate = script.Commands[i];
            if (candidate.Pipeline == command.Pipeline && candidate.PipelineIndex == command.PipelineIndex - 1)
            {
                previousIndex = i;
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The command after <paramref name="index"/> in its pipeline (this one's output is its input), or <see langword="null"/>.</summary>
    public ShellCommand? Next(int index)
    {
        if (script is null || index < 0 || index >= script.Commands.Count)
        {
            return null;
        }

        var command = script.Commands[index];
        for (var i = index + 1; i < script.Commands.Count; i++)
        {
            var candidate = script.Commands[i];
            if (candidate.Pipeline == command.Pipeline && candidate.PipelineIndex == command.PipelineIndex + 1)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Copy to <paramref name="destination"/> of what <paramref name="command"/> prints into it
    /// (<c>cat w &gt; f</c>, <c>cat w | gzip -c &gt; f</c>, <c>cat w | tee f</c>): the files it read itself
    /// (reads from <paramref name="start"/> on) and those earlier members of its pipeline printed into it.
    /// </summary>
    public void AddCopiesOfOutput(ShellCommand command, int index, int start, ShellResource destination)
    {
        if (destination.IsEmpty || script is null || !ShellContentOutput.PrintsContent(command))
        {
            return;
        }

        var count = reads.Count;
        for (var r = 0; r < count; r++)
        {
            var read = reads[r];
            if (!ReferenceEquals(read.Script, script) || read.Index < 0 || read.Index > index || (read.Index == index && r < start))
            {
                continue;
            }

            if (read.Index == index || PrintsInto(script, read.Index, command))
            {
                Add(EffectKind.Copy, read.Resource, destination.Uri, null, read.Flags | destination.AsDestination);
            }
        }
    }

    private static bool PrintsInto(ShellScript within, int earlierIndex, ShellCommand command)
    {
        var earlier = within.Commands[earlierIndex];
        if (earlier.Pipeline != command.Pipeline || earlier.PipelineIndex >= command.PipelineIndex)
        {
            return false;
        }

        foreach (var member in within.Commands)
        {
            if (member.Pipeline == command.Pipeline && member.PipelineIndex >= earlier.PipelineIndex && member.PipelineIndex < command.PipelineIndex
                && (!ShellContentOutput.PrintsContent(member) || ShellContentOutput.RedirectsOutput(member)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>How many reads the analysis has recorded: the mark <see cref="AddPrintedReads"/> starts from.</summary>
    public int ReadCount => reads.Count;

    /// <summary>
    /// The reads from <paramref name="start"/> on made by a nested script (ssh's remote command) whose
    /// content reaches that script's standard output: the reading command prints it and every later
    /// member of its pipeline passes it on. Each is recorded again as a read of the current command,
    /// so that later members of the current pipeline send it on (<see cref="AddEgressOfInput"/>).
    /// </summary>
    public List<(string Resource, EffectFlags Flags)> AddPrintedReads(int start)
    {
        var printed = new List<(string Resource, EffectFlags Flags)>();
        var count = reads.Count;
        for (var r = start; r < count; r++)
        {
            var read = reads[r];
            if (ReferenceEquals(read.Script, script) || read.Index < 0 || read.Index >= read.Script.Commands.Count || !ReachesOutput(read.Script, read.Index))
            {
                continue;
            }

            printed.Add((read.Resource, read.Flags));
        }

        foreach (var (resource, flags) in printed)
        {
            Add(EffectKind.Read, resource, null, null, flags);
        }

        return printed;
    }

    private static bool ReachesOutput(ShellScript nested, int index)
    {
        var command = nested.Commands[index];
        if (!ShellContentOutput.PrintsContent(command) || ShellContentOutput.RedirectsOutput(command))
        {
            return false;
        }

        for (var i = index + 1; i < nested.Commands.Count; i++)
        {
            var later = nested.Commands[i];
            if (later.Pipeline == command.Pipeline && later.PipelineIndex > command.PipelineIndex
                && (!ShellContentOutput.PrintsContent(later) || ShellContentOutput.RedirectsOutput(later)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The commands before <paramref name="index"/> in the script (the inner commands of a substitution come before their user).</summary>
    public ShellCommand? Before(int index, int distance)
        => script is not null && index - distance >= 0 && index - distance < script.Commands.Count ? script.Commands[index - distance] : null;

    /// <summary>
    /// Egress to <paramref name="destination"/> of what a command receives on standard input: the
    /// files its own input redirections read and the files read earlier in its pipeline.
    /// </summary>
    public void AddEgressOfInput(ShellInvocation invocation, string destination, EffectFlags destinationFlags = EffectFlags.None)
    {
        foreach (var redirection in invocation.Command.Redirections)
        {
            if (redirection.Kind is ShellRedirectionKind.Read or ShellRedirectionKind.ReadWrite && redirection.Descriptor == 0 && !IsIgnoredDevice(redirection.Target))
            {
                var resource = File(redirection.Target, invocation.Cwd);
                Add(EffectKind.Egress, resource.Uri, destination, null, resource.AsResource | destinationFlags);
            }
        }

        if (script is null || invocation.Index < 0 || invocation.Index >= script.Commands.Count)
        {
            return;
        }

        var command = script.Commands[invocation.Index];
        if (command.PipelineIndex == 0)
        {
            return;
        }

        var count = reads.Count;
        for (var r = 0; r < count; r++)
        {
            var read = reads[r];
            if (read.Index < 0 || read.Index >= invocation.Index || !ReferenceEquals(read.Script, script))
            {
                continue;
            }

            var earlier = script.Commands[read.Index];
            if (earlier.Pipeline == command.Pipeline && earlier.PipelineIndex < command.PipelineIndex)
            {
                Add(EffectKind.Egress, read.Resource, destination, null, read.Flags | destinationFlags);
            }
        }
    }

    /// <summary>Egress to <paramref name="destination"/> of what the current command itself read from reads index <paramref name="start"/> on.</summary>
    public void AddEgressOfOwnReads(string destination, int start)
    {
        var count = reads.Count;
        for (var r = start; r < count; r++)
        {
            if (ReferenceEquals(reads[r].Script, script) && reads[r].Index == current)
            {
                Add(EffectKind.Egress, reads[r].Resource, destination, null, reads[r].Flags);
            }
        }
    }

    /// <summary>Whether the command reads a pipe or a here-document on standard input.</summary>
    public static bool HasStandardInput(ShellCommand command)
    {
        if (command.PipelineIndex > 0 || command.Stdin is not null)
        {
            return true;
        }

        foreach (var redirection in command.Redirections)
        {
            if (redirection.Descriptor == 0 && redirection.Kind is ShellRedirectionKind.HereDocument or ShellRedirectionKind.HereString or ShellRedirectionKind.Read)
            {
                return true;
            }
        }

        return false;
    }
}
