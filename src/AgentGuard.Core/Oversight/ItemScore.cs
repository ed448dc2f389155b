namespace AgentGuard.Oversight;

/// <summary>One item's re-scored result: right or wrong, or a score.</summary>
/// <param name="Id">The item's id (<see cref="EvaluationItem.Id"/>).</param>
/// <param name="Correct">Whether the item is right, for right-or-wrong items.</param>
/// <param name="Score">The item's score, for scored items.</param>
public sealed record ItemScore(string Id, bool? Correct, double? Score);
