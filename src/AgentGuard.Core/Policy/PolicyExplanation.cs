namespace AgentGuard.Policy;

/// <summary>Why a call was decided as it was: its effects, every rule that matched, and the decision.</summary>
/// <param name="Decision">The decision, as <see cref="PolicyEngine.Decide"/> makes it.</param>
/// <param name="Unmapped">Whether the call is a <c>tools/call</c> of a tool no mapping describes.</param>
/// <param name="Effects">Each effect with its assets and the rules it met.</param>
/// <param name="CallRules">Rules with only call conditions (tool, agent, arguments...) that matched, in file order.</param>
public sealed record PolicyExplanation(Decision Decision, bool Unmapped, IReadOnlyList<EffectExplanation> Effects, IReadOnlyList<Rule> CallRules);
