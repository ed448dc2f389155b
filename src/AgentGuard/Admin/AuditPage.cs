using AgentGuard.Audit;

namespace AgentGuard.Admin;

/// <summary>One page of an audit query: the filter, how many matches to skip, and how many to return.</summary>
internal sealed record AuditPage(AuditQuery Query, int Offset, int Limit);
