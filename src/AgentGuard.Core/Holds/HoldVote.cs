namespace AgentGuard.Holds;

/// <summary>A named reviewer's approval or denial of one held call.</summary>
/// <param name="HoldId">The held call's id.</param>
/// <param name="CallHash">The hash the reviewer was shown; must equal the hold's, or the vote is refused.</param>
/// <param name="Reviewer">The authenticated reviewer's name.</param>
/// <param name="Approve">True to approve, false to deny.</param>
/// <param name="Reason">The reviewer's note, if any.</param>
/// <param name="Time">When the vote was given.</param>
public sealed record HoldVote(string HoldId, string CallHash, string Reviewer, bool Approve, string? Reason, DateTimeOffset Time);
