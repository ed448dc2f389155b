namespace AgentGuard.Oversight;

/// <summary>What a re-scorer is given: the evidence, never the evaluator's report.</summary>
/// <param name="Evaluation">The evaluation's name in the policy.</param>
/// <param name="SubjectLabel">A neutral label standing for the subject (its identity replaced), e.g. <c>subject-1</c>.</param>
/// <param name="Items">The items in the evidence (rows of the data sheet, ...), each with its id and text, the subject's name replaced.</param>
/// <param name="Instructions">The rubric or policy text the evidence names (the subject's name replaced), for a judge.</param>
/// <param name="Threshold">The pass mark read from the evidence or the policy, when there is one.</param>
/// <param name="Grades">The grades a submission may give, best first (e.g. A, B, C), when it is graded rather than scored.</param>
public sealed record RescoreRequest(
    string Evaluation,
    string SubjectLabel,
    IReadOnlyList<EvaluationItem> Items,
    string? Instructions,
    double? Threshold,
    IReadOnlyList<string>? Grades);
