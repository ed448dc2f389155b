namespace AgentGuard.Oversight;

/// <summary>
/// Scores an evaluation's evidence independently of the evaluator: <c>reference</c> (an answer
/// key), <c>model</c> (a judge behind <c>IChatClient</c>) or <c>webhook</c> (a team's own grader).
/// Never runs on a request's thread.
/// </summary>
public interface IRescorer
{
    /// <summary>The re-scorer's kind as the policy names it: <c>reference</c>, <c>model</c> or <c>webhook</c>.</summary>
    string Kind { get; }

    /// <summary>Re-scores <paramref name="request"/>; throws on failure (the caller records the evaluation as unverified).</summary>
    ValueTask<Rescore> RescoreAsync(RescoreRequest request, CancellationToken cancellationToken);
}
