namespace AgentGuard.Effects.Shell;

/// <summary>What a shell command does, as effects.</summary>
/// <param name="Effects">The effects, with canonical resources (see <see cref="EffectFlags"/> for patterns and opaque parts).</param>
/// <param name="Opaque">Whether some of what the command does could not be known statically (inline interpreter code, a computed command, an unparsable script).</param>
public sealed record ShellAnalysis(IReadOnlyList<Effect> Effects, bool Opaque);
