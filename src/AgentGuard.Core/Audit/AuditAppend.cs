using AgentGuard.Oversight;

namespace AgentGuard.Audit;

/// <summary>A record waiting for its place in the chain (its sequence number and <c>prev</c> are given when it is written).</summary>
internal readonly record struct AuditAppend(
    AuditRecordKind Kind,
    DateTimeOffset Time,
    DecisionRecord? Decision = null,
    string? Reference = null,
    int Status = 0,
    double LatencyMilliseconds = 0,
    AuditResumption? Resumption = null,
    OversightFinding? Oversight = null,
    ObligationChange? Obligation = null,
    LineageRecord? Lineage = null,
    HoldRecord? Hold = null);
