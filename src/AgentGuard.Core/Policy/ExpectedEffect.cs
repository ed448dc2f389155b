using AgentGuard.Effects;

namespace AgentGuard.Policy;

/// <summary>
/// An effect a policy test case expects the call to have. Fields the case leaves out match
/// anything, so a case states only what it is about.
/// </summary>
/// <param name="Kind">The effect kind.</param>
/// <param name="Resource">The canonical resource, exactly; <see langword="null"/> for any.</param>
/// <param name="Destination">The canonical destination, exactly; <see langword="null"/> for any.</param>
/// <param name="Opaque">Whether the effect must (or must not) be opaque; <see langword="null"/> for either.</param>
/// <param name="Pattern">Whether the resource must (or must not) be a pattern; <see langword="null"/> for either.</param>
public sealed record ExpectedEffect(EffectKind Kind, string? Resource, string? Destination, bool? Opaque, bool? Pattern)
{
    /// <summary>Whether <paramref name="effect"/> is one this expectation describes.</summary>
    public bool Matches(Effect effect)
        => effect.Kind == Kind
            && (Resource is null || Resource == effect.Resource)
            && (Destination is null || Destination == effect.Destination)
            && (Opaque is null || Opaque == ((effect.Flags & EffectFlags.Opaque) != 0))
            && (Pattern is null || Pattern == ((effect.Flags & EffectFlags.ResourcePattern) != 0));

    /// <summary>The expectation as a case would write it.</summary>
    public override string ToString()
    {
        var text = EffectKinds.Name(Kind) + " " + (Resource ?? "*");
        if (Destination is not null)
        {
            text += " -> " + Destination;
        }

        if (Opaque is { } opaque)
        {
            text += opaque ? " (opaque)" : " (not opaque)";
        }

        if (Pattern is { } pattern)
        {
            text += pattern ? " (pattern)" : " (not a pattern)";
        }

        return text;
    }
}
