namespace AgentGuard.Oversight;

/// <summary>A re-scorer's result.</summary>
/// <param name="Score">The overall score (percent or the evaluation's scale), when scored.</param>
/// <param name="Grade">The overall grade, when graded.</param>
/// <param name="Items">Per-item results, for every item in the evidence the re-scorer scored.</param>
/// <param name="Detail">How the result was reached (which models, which key), for the audit record.</param>
public sealed record Rescore(double? Score, string? Grade, IReadOnlyList<ItemScore> Items, string? Detail = null);
