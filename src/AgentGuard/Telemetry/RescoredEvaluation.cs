namespace AgentGuard.Telemetry;

/// <summary>One re-scored evaluation, as <see cref="OversightMetrics"/> counts it.</summary>
/// <param name="Evaluator">The agent that submitted: an id the guard vouches for, never text the agent wrote.</param>
/// <param name="Evaluation">The evaluation's name in the policy.</param>
/// <param name="Outcome">One of <see cref="OversightMetrics.Outcomes"/>: <c>consistent</c>, <c>divergent</c> or <c>unverified</c>.</param>
/// <param name="Submitted">The submitted score, when the evaluation is scored.</param>
/// <param name="Rescored">The re-scored score, when there is one.</param>
/// <param name="Threshold">The pass mark, when there is one.</param>
/// <param name="SubmittedPasses">Whether the submission passes the subject; from <paramref name="Submitted"/> ≥ <paramref name="Threshold"/> when not given (graded evaluations give it: A and B pass, C fails).</param>
/// <param name="RescoredPasses">Whether the re-scoring passes the subject; likewise.</param>
internal sealed record RescoredEvaluation(
    string Evaluator,
    string Evaluation,
    string Outcome,
    double? Submitted = null,
    double? Rescored = null,
    double? Threshold = null,
    bool? SubmittedPasses = null,
    bool? RescoredPasses = null);
