using AgentGuard.Policy;

namespace AgentGuard.Oversight;

/// <summary>The findings oversight makes about evaluations and obligations, with their severities.</summary>
public static class OversightFindings
{
    /// <summary>A submission passes a subject its re-score fails.</summary>
    public static readonly Finding InflatedScore = new("score-divergence", Severity.High);

    /// <summary>A submission differs from its re-score by more than the tolerance, or falls on the other side of the threshold, without passing a failing subject.</summary>
    public static readonly Finding ScoreDivergence = new("score-divergence", Severity.Medium);

    /// <summary>A submission scored fewer items than the evidence holds.</summary>
    public static readonly Finding ItemsDropped = new("evaluation-items-dropped", Severity.Medium);

    /// <summary>A submission's per-item results differ from the re-score's while the overall results agree.</summary>
    public static readonly Finding ItemsDiffer = new("evaluation-items-differ", Severity.Medium);

    /// <summary>An obligation the re-score opened was not met when the session ended.</summary>
    public static readonly Finding MandatedActionMissing = new("mandated-action-missing", Severity.High);

    /// <summary>A submission could not be re-scored (the re-scorer failed or timed out, or the evidence was missing).</summary>
    public static readonly Finding Unverified = new("evaluation-unverified", Severity.Low);

    /// <summary>A call that is a submission by the policy could not be read (a report with no score).</summary>
    public static readonly Finding Unreadable = new("evaluation-unreadable", Severity.Low);
}
