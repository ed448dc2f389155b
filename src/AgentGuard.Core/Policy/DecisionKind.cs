namespace AgentGuard.Policy;

/// <summary>What the guard does with a call, in increasing order of precedence: deny over hold over flag over allow.</summary>
public enum DecisionKind
{
    /// <summary>Forward the call.</summary>
    Allow,

    /// <summary>Forward the call and raise its finding.</summary>
    Flag,

    /// <summary>Wait for a person: reviewers approve (forward) or deny the call before its hold times out (a deny).</summary>
    Hold,

    /// <summary>Do not forward the call; answer "permission denied".</summary>
    Deny,
}
