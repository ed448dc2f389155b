using AgentGuard.Policy;

namespace AgentGuard.Admin;

/// <summary>
/// The decisions table's filters, from its GET form; unset fields match everything. The table lists
/// decisions, oversight findings and hold events (what a reviewer looks at), never upstream records
/// or checkpoints.
/// </summary>
internal sealed record ReviewFilter
{
    public string? Agent { get; init; }

    public string? Session { get; init; }

    public string? Tool { get; init; }

    public string? Rule { get; init; }

    public string? Finding { get; init; }

    /// <summary>The least severity to include: <c>high</c> gives high and critical.</summary>
    public Severity? Severity { get; init; }

    /// <summary><c>allow</c>, <c>flag</c>, <c>deny</c>, <c>hold</c>; or a hold record's event.</summary>
    public string? Decision { get; init; }

    /// <summary>Inclusive.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Exclusive.</summary>
    public DateTimeOffset? To { get; init; }

    public bool IsEmpty => this == new ReviewFilter();

    public bool Matches(ReviewRow row)
        => row.Type is "decision" or "oversight" or "hold"
            && (From is null || row.Time >= From)
            && (To is null || row.Time < To)
            && Same(Agent, row.Agent)
            && Same(Session, row.Session)
            && Same(Tool, row.Tool)
            && Same(Rule, row.Rule)
            && Same(Finding, row.Finding)
            && (Decision is null || Same(Decision, row.Decision) || (row.Type == "hold" && Same(Decision, row.Event)))
            && (Severity is null || row.Severity >= Severity);

    private static bool Same(string? wanted, string? actual) => wanted is null || string.Equals(wanted, actual, StringComparison.OrdinalIgnoreCase);
}
