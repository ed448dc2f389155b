namespace AgentGuard.Policy;

/// <summary>How serious a finding is, in increasing order.</summary>
public enum Severity
{
    Info,
    Low,
    Medium,
    High,
    Critical,
}
