namespace AgentGuard.Effects.Shell;

/// <summary>Turns a shell command into the effects it has, so that asset rules decide it as they decide mapped tools.</summary>
public static class ShellAnalyzer
{
    /// <summary>Analyses a command string.</summary>
    public static ShellAnalysis Analyze(string command, ShellContext context)
        => new([new Effect(EffectKind.Exec, "shell:opaque", Value: command, Flags: EffectFlags.Opaque)], true); // placeholder

    /// <summary>Analyses an argv array such as <c>["bash", "-lc", "..."]</c>.</summary>
    public static ShellAnalysis Analyze(IReadOnlyList<string> argv, ShellContext context)
        => new([new Effect(EffectKind.Exec, "shell:opaque", Value: string.Join(' ', argv), Flags: EffectFlags.Opaque)], true); // placeholder
}
