using AgentGuard.Sessions;

namespace AgentGuard.Audit;

/// <summary>A resource that joined an asset outside any decision (a copy seen in a listing), as the audit log records it.</summary>
public sealed record LineageRecord(SessionKey Session, LineageEntry Entry);
