using AgentGuard.Audit;

namespace AgentGuard.Admin;

/// <summary>What the admin plane reports on besides the policy: the audit log, when there is one.</summary>
internal sealed class AdminState(AuditLog? audit)
{
    public AuditLog? Audit { get; } = audit;
}
