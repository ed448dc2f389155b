namespace AgentGuard.Oversight;

/// <summary>What one judge of a panel gave: its re-scoring, or why it has none.</summary>
/// <param name="Judge">The judge's name (its model).</param>
/// <param name="Result">Its re-scoring, when it answered validly in time.</param>
/// <param name="Failure">Why it has none, naming the judge (<c>judge 'm' timed out after 00:01:00</c>), when it did not.</param>
internal sealed record JudgeOutcome(string Judge, Rescore? Result, string? Failure);
