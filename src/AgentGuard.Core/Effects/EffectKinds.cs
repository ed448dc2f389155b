namespace AgentGuard.Effects;

/// <summary>The policy-file names of <see cref="EffectKind"/>s.</summary>
public static class EffectKinds
{
    /// <summary>Every name, in <see cref="EffectKind"/> order.</summary>
    public static readonly string[] Names = ["read", "write", "delete", "copy", "move", "exec", "egress", "set-time", "lifecycle"];

    /// <summary>The policy-file name of <paramref name="kind"/>.</summary>
    public static string Name(EffectKind kind) => Names[(int)kind];

    /// <summary>Parses a policy-file name.</summary>
    public static bool TryParse(string name, out EffectKind kind)
    {
        var index = Array.IndexOf(Names, name);
        kind = (EffectKind)Math.Max(index, 0);
        return index >= 0;
    }
}
