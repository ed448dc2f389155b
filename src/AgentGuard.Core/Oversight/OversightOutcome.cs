namespace AgentGuard.Oversight;

/// <summary>What oversight made of a call or a session's end: findings to audit, and obligations opened or met (for the audit log, so a restarted guard knows which are still open).</summary>
/// <param name="Findings">The findings.</param>
/// <param name="Opened">Obligations opened by a re-score.</param>
/// <param name="Closed">Obligations met, or reported missing at the session's end.</param>
/// <param name="Results">The submissions re-scored (or left unverified), divergent or not.</param>
public sealed record OversightOutcome(
    IReadOnlyList<OversightFinding> Findings,
    IReadOnlyList<OpenObligation> Opened,
    IReadOnlyList<OpenObligation> Closed,
    IReadOnlyList<EvaluationResult>? Results = null)
{
    /// <summary>Nothing found, opened or closed.</summary>
    public static readonly OversightOutcome None = new([], [], []);
}
