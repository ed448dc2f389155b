using AgentGuard.Policy;

namespace AgentGuard.Audit;

/// <summary>
/// A filter over audit records; unset fields match everything. Decision and oversight records
/// (what reviewers audit) unless <see cref="Type"/> says otherwise.
/// </summary>
public sealed record AuditQuery
{
    public DateTimeOffset? Since { get; init; }

    public DateTimeOffset? Until { get; init; }

    public string? Agent { get; init; }

    public string? Decision { get; init; }

    public string? Finding { get; init; }

    /// <summary>The least severity to include: <c>high</c> gives high and critical.</summary>
    public Severity? Severity { get; init; }

    public string? Tool { get; init; }

    /// <summary>The record type: <c>decision</c>, <c>oversight</c>, <c>obligation</c>, <c>lineage</c>, <c>upstream</c>, <c>checkpoint</c>, <c>resume</c>, or <c>all</c>; unset, decisions and oversight findings.</summary>
    public string? Type { get; init; }

    public bool Matches(AuditEntry entry)
        => TypeMatches(entry.Type)
            && (Since is null || entry.Time >= Since)
            && (Until is null || entry.Time < Until)
            && Same(Agent, entry.Agent)
            && Same(Decision, entry.Decision)
            && Same(Finding, entry.Finding)
            && Same(Tool, entry.Tool)
            && (Severity is null || entry.SeverityValue >= Severity);

    private bool TypeMatches(string type) => Type switch
    {
        null => type is "decision" or "oversight",
        "all" => true,
        _ => string.Equals(type, Type, StringComparison.OrdinalIgnoreCase),
    };

    private static bool Same(string? wanted, string? actual) => wanted is null || string.Equals(wanted, actual, StringComparison.OrdinalIgnoreCase);
}
