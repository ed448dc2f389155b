namespace AgentGuard.Effects.Shell;

/// <summary>A canonical resource named by a shell word: a URI, or a pattern of URIs.</summary>
/// <param name="Uri">The canonical URI (a glob when <paramref name="Pattern"/> is set).</param>
/// <param name="Pattern">The URI is a pattern (<see cref="EffectFlags.ResourcePattern"/>).</param>
/// <param name="Opaque">Part of the word could not be known statically.</param>
internal readonly record struct ShellResource(string Uri, bool Pattern, bool Opaque)
{
    public bool IsEmpty => Uri is null;

    public EffectFlags AsResource => (Pattern ? EffectFlags.ResourcePattern : 0) | (Opaque ? EffectFlags.Opaque : 0);

    public EffectFlags AsDestination => (Pattern ? EffectFlags.DestinationPattern : 0) | (Opaque ? EffectFlags.Opaque : 0);
}
