namespace AgentGuard.Effects;

/// <summary>One effect a mapped tool has, bound to its arguments.</summary>
/// <param name="Kind">What the tool does.</param>
/// <param name="Resource">The resource acted on.</param>
/// <param name="Destination">Where it goes, for copy, move and egress.</param>
/// <param name="Value">The value written, when the policy cares about it.</param>
public sealed record EffectTemplate(EffectKind Kind, ArgumentTemplate Resource, ArgumentTemplate? Destination, ArgumentTemplate? Value)
{
    private static readonly ArgumentTemplate NoResource = ArgumentTemplate.Parse(string.Empty, out _)!;

    /// <summary>
    /// For a <c>kind: shell</c> mapping, the shell whose command the call carries: its effects are
    /// what <see cref="Shell.ShellAnalyzer"/> finds in the command, and <see cref="Kind"/> and
    /// <see cref="Resource"/> are unused.
    /// </summary>
    public ShellTemplate? Shell { get; init; }

    /// <summary>
    /// The argument that carries the written or sent file content (<c>content:</c>), sniffed for model
    /// formats (<see cref="Effect.Format"/>); <see langword="null"/> when the mapping names none.
    /// </summary>
    public ContentTemplate? Content { get; init; }

    /// <summary>The template for a <c>kind: shell</c> mapping.</summary>
    public static EffectTemplate ForShell(ShellTemplate shell) => new(EffectKind.Exec, NoResource, null, null) { Shell = shell };
}
