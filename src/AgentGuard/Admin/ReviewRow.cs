using AgentGuard.Policy;

namespace AgentGuard.Admin;

/// <summary>
/// One audit record as the review page indexes it: the fields its filters and chart use, and where
/// the record's line is (segment and byte range), so the full record is read only when shown.
/// </summary>
internal sealed record ReviewRow(
    long Sequence,
    DateTimeOffset Time,
    string Type,
    string? Reference,
    string? Agent,
    string? Session,
    string? Tool,
    string? Decision,
    string? Rule,
    string? Finding,
    Severity? Severity,
    string? Event,
    int Segment,
    long Offset,
    int Length);
