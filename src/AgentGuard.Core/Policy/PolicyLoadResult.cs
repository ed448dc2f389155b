namespace AgentGuard.Policy;

/// <summary>A compiled policy, or every error that kept one from loading.</summary>
public sealed record PolicyLoadResult(PolicySet? Policy, IReadOnlyList<PolicyError> Errors)
{
    /// <summary>Whether the policy loaded.</summary>
    public bool Succeeded => Policy is not null;
}
