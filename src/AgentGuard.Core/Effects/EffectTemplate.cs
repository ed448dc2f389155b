namespace AgentGuard.Effects;

/// <summary>One effect a mapped tool has, bound to its arguments.</summary>
/// <param name="Kind">What the tool does.</param>
/// <param name="Resource">The resource acted on.</param>
/// <param name="Destination">Where it goes, for copy, move and egress.</param>
/// <param name="Value">The value written, when the policy cares about it.</param>
public sealed record EffectTemplate(EffectKind Kind, ArgumentTemplate Resource, ArgumentTemplate? Destination, ArgumentTemplate? Value);
