using AgentGuard.Effects;

namespace AgentGuard.Policy;

/// <summary>One effect of an explained call: the assets it touches and the rules it met.</summary>
/// <param name="Effect">The canonical effect.</param>
/// <param name="Assets">The assets its resource is in (for a pattern: that some name it matches is in).</param>
/// <param name="DestinationAssets">The assets its destination is in.</param>
/// <param name="Rules">Every rule whose conditions this effect meets (the call's conditions included), in file order.</param>
public sealed record EffectExplanation(Effect Effect, IReadOnlyList<string> Assets, IReadOnlyList<string> DestinationAssets, IReadOnlyList<Rule> Rules);
