namespace AgentGuard.Holds;

/// <summary>The end of a hold: its outcome, the reviewers who decided it (in order), and why.</summary>
public sealed record HoldResolution(HoldOutcome Outcome, IReadOnlyList<string> Reviewers, string? Reason, DateTimeOffset Time)
{
    public bool IsApproved => Outcome == HoldOutcome.Approved;
}
