namespace AgentGuard.Holds;

/// <summary>What a vote did.</summary>
public enum VoteResult
{
    /// <summary>An approval was counted; the hold waits for another reviewer.</summary>
    Counted,

    /// <summary>The vote approved the call: it is released.</summary>
    Approved,

    /// <summary>The vote denied the call.</summary>
    Denied,

    /// <summary>No hold with that id is pending (never held, or already decided: approvals cannot be replayed).</summary>
    NotPending,

    /// <summary>The hash does not match the held call: the reviewer approved another call.</summary>
    HashMismatch,

    /// <summary>This reviewer already approved this call; a second approval must come from someone else.</summary>
    SameReviewer,

    /// <summary>The shared hold queue could not be reached.</summary>
    Unavailable,
}
