namespace AgentGuard.Holds;

/// <summary>How a hold ended. Every outcome but <see cref="Approved"/> denies the call.</summary>
public enum HoldOutcome
{
    /// <summary>Enough distinct reviewers approved: the call is forwarded.</summary>
    Approved,

    /// <summary>A reviewer denied it.</summary>
    Denied,

    /// <summary>Nobody decided before the deadline.</summary>
    TimedOut,

    /// <summary>The agent cancelled the call (<c>notifications/cancelled</c>) or went away.</summary>
    Cancelled,

    /// <summary>The replica holding it died; found by another replica. A retry is a new hold.</summary>
    Abandoned,

    /// <summary>The hold queue could not be reached (shared state down): holds are denied.</summary>
    Unavailable,
}
