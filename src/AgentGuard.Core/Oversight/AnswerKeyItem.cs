namespace AgentGuard.Oversight;

/// <summary>
/// One item of an answer key: a reference answer and how to compare an output with it, or a
/// reference score.
/// </summary>
/// <param name="Id">The item's id (its row number or id column in the data evidence).</param>
/// <param name="Answers">The accepted answers (one, or a set for <see cref="AnswerComparison.OneOf"/>); empty for a scored item.</param>
/// <param name="Comparison">How the output is compared.</param>
/// <param name="NumericTolerance">For <see cref="AnswerComparison.Numeric"/>: how far the output's number may be from the answer's.</param>
/// <param name="Score">A reference score for the item (0 to 100) instead of an answer.</param>
/// <param name="Field">The item field holding the output, when not the key's default.</param>
public sealed record AnswerKeyItem(
    string Id,
    IReadOnlyList<string> Answers,
    AnswerComparison Comparison,
    double NumericTolerance = 0,
    double? Score = null,
    string? Field = null);
