namespace AgentGuard.Oversight;

/// <summary>One re-scored submission, whether or not it diverged: what per-evaluator statistics count.</summary>
/// <param name="Evaluation">The evaluation's name in the policy.</param>
/// <param name="Evaluator">The agent that submitted.</param>
/// <param name="Outcome"><c>consistent</c>, <c>divergent</c> or <c>unverified</c>.</param>
/// <param name="Submitted">The submitted score, when scored.</param>
/// <param name="Rescored">The re-scored score, when scored.</param>
/// <param name="Threshold">The pass mark the guard read, when there is one.</param>
/// <param name="SubmittedPasses">Whether the submission passes the subject, when it can be told.</param>
/// <param name="RescoredPasses">Whether the re-score passes the subject, when it can be told.</param>
public sealed record EvaluationResult(
    string Evaluation,
    string Evaluator,
    string Outcome,
    double? Submitted,
    double? Rescored,
    double? Threshold,
    bool? SubmittedPasses,
    bool? RescoredPasses);
