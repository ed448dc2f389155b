namespace AgentGuard.Effects.Shell;

/// <summary>Turns a shell command into the effects it has, so that asset rules decide it as they decide mapped tools.</summary>
/// <remarks>
/// Never throws: a command it cannot follow is opaque (<see cref="ShellAnalysis.Opaque"/>), with
/// an <c>shell:opaque</c> exec effect carrying the text, so the policy fails closed on it.
/// </remarks>
public static class ShellAnalyzer
{
    /// <summary>Analyses a command string.</summary>
    public static ShellAnalysis Analyze(string command, ShellContext context)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            return AnalyzeUnguarded(command, context);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A bug in a command's semantics must not let the command through unseen: it is opaque.
            return new ShellAnalysis([new Effect(EffectKind.Exec, ShellEffectCollector.OpaqueResource, Value: command, Flags: EffectFlags.Opaque)], true);
        }
    }

    /// <summary>
    /// Analyses <paramref name="command"/> as <see cref="Analyze(string, ShellContext)"/> does, into
    /// <paramref name="effects"/> (empty; the caller's reusable list) instead of a new analysis.
    /// </summary>
    internal static void Analyze(string command, ShellContext context, List<Effect> effects)
        => Analyze(command, context.Host, context.WorkingDirectory, effects);

    /// <summary>As <see cref="Analyze(string, ShellContext, List{Effect})"/> on <paramref name="host"/> in <paramref name="workingDirectory"/>, without a context object.</summary>
    internal static void Analyze(string command, string host, string? workingDirectory, List<Effect> effects)
    {
        try
        {
            var collector = new ShellEffectCollector(host, effects);
            collector.AnalyzeSource(command, workingDirectory);
            collector.Release();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            effects.Clear();
            effects.Add(new Effect(EffectKind.Exec, ShellEffectCollector.OpaqueResource, Value: command, Flags: EffectFlags.Opaque));
        }
    }

    /// <summary>As <see cref="Analyze(string, ShellContext)"/> without the safety net, so tests see the analyser's own bugs.</summary>
    internal static ShellAnalysis AnalyzeUnguarded(string command, ShellContext context)
    {
        var collector = new ShellEffectCollector(context);
        collector.AnalyzeSource(command, context.WorkingDirectory);
        return collector.ToAnalysis();
    }

    /// <summary>Analyses an argv array such as <c>["bash", "-lc", "..."]</c>.</summary>
    public static ShellAnalysis Analyze(IReadOnlyList<string> argv, ShellContext context)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(context);
        var collector = new ShellEffectCollector(context);
        if (argv.Count == 0)
        {
            return collector.ToAnalysis();
        }

        // ["ls -la /data"]: a whole command line sent as a one-element array is read as shell.
        if (argv.Count == 1 && argv[0] is { } line && line.AsSpan().IndexOfAny(' ', '\t', '\n') >= 0)
        {
            return Analyze(line, context);
        }

        try
        {
            var words = new ShellWord[argv.Count];
            for (var i = 0; i < words.Length; i++)
            {
                words[i] = new ShellWord(argv[i] ?? string.Empty);
            }

            collector.AnalyzeArgv(new ShellCommand(words, [], [], context.WorkingDirectory, 0, 0, null));
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            collector.AddOpaque(string.Join(' ', argv));
        }

        return collector.ToAnalysis();
    }
}
