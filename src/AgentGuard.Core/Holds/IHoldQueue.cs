namespace AgentGuard.Holds;

/// <summary>
/// The calls waiting for a person. In memory in one guard (<see cref="InMemoryHoldQueue"/>); a
/// shared implementation lets a reviewer's vote on any replica release a call held on another.
/// </summary>
public interface IHoldQueue
{
    /// <summary>The name of the replica this queue holds calls for (<see cref="HeldCall.Replica"/>).</summary>
    string Replica { get; }

    /// <summary>
    /// Puts <paramref name="call"/> on hold and completes when it is decided: approved by
    /// <see cref="HeldCall.ReviewersRequired"/> distinct reviewers, denied by one, timed out at its
    /// deadline, or <see cref="HoldOutcome.Cancelled"/> when <paramref name="cancellationToken"/> fires
    /// (the agent cancelled or went away). Never throws for those; the outcome says.
    /// </summary>
    Task<HoldResolution> HoldAsync(HeldCall call, CancellationToken cancellationToken);

    /// <summary>The calls waiting now, oldest first.</summary>
    IReadOnlyList<PendingHold> Pending();

    /// <summary>A vote by an authenticated reviewer.</summary>
    ValueTask<VoteResult> VoteAsync(HoldVote vote, CancellationToken cancellationToken);
}
