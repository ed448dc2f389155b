namespace AgentGuard.Oversight;

/// <summary>Whether a submission waits for its re-score.</summary>
public enum EvaluationMode
{
    /// <summary>The default: the submission is forwarded at once and re-scored off the request's path, so the evaluator cannot tell when it is checked.</summary>
    Async,

    /// <summary>Opt-in: the proxy holds the submission until the re-score returns or the timeout passes (then <c>unverified</c>).</summary>
    Sync,
}
