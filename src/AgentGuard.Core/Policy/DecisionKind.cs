namespace AgentGuard.Policy;

/// <summary>What the guard does with a call, in increasing order of precedence.</summary>
public enum DecisionKind
{
    /// <summary>Forward the call.</summary>
    Allow,

    /// <summary>Forward the call and raise its finding.</summary>
    Flag,

    /// <summary>Do not forward the call; answer "permission denied".</summary>
    Deny,
}
