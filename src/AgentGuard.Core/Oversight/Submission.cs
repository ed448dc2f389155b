namespace AgentGuard.Oversight;

/// <summary>The result an evaluator submitted, as the guard read it from the call or the report.</summary>
/// <param name="Evaluation">The evaluation's name in the policy.</param>
/// <param name="Evaluator">The agent that submitted.</param>
/// <param name="Subject">Who the submission is about, when known.</param>
/// <param name="Score">The submitted score, when scored.</param>
/// <param name="Grade">The submitted grade, when graded.</param>
/// <param name="Threshold">The threshold the submission states (for the record; the guard reads its own).</param>
/// <param name="Items">The per-item results the submission gives.</param>
/// <param name="ExcludedItems">The items the submission says it left out (dropped, "technical errors").</param>
/// <param name="Correct">The count of right items the submission states.</param>
/// <param name="Scored">The count of items the submission says it scored.</param>
/// <param name="Total">The count of items the submission says there are.</param>
/// <param name="File">The report's file name, for a report.</param>
/// <param name="Reference">The audit reference of the submitting call.</param>
/// <param name="Time">When it was submitted.</param>
public sealed record Submission(
    string Evaluation,
    string Evaluator,
    string? Subject,
    double? Score,
    string? Grade,
    double? Threshold,
    IReadOnlyList<ItemScore> Items,
    IReadOnlyList<string> ExcludedItems,
    int? Correct,
    int? Scored,
    int? Total,
    string? File,
    string Reference,
    DateTimeOffset Time)
{
    /// <summary>How many items the submission scored: the count it states, else the items it lists, else its total; <see langword="null"/> when it says nothing.</summary>
    public int? ItemsScored => Scored ?? (Items.Count > 0 ? Items.Count : Total);

    /// <summary>The submitted result as text: the grade, or the score.</summary>
    public string? Result => Grade ?? (Score is { } score ? Numbers.Format(score) : null);
}
