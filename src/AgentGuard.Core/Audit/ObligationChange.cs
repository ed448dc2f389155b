using AgentGuard.Oversight;

namespace AgentGuard.Audit;

/// <summary>An obligation opened, or closed (met or reported missing), as the audit log records it.</summary>
public sealed record ObligationChange(OpenObligation Obligation, bool Opened);
