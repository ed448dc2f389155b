using System.Text.RegularExpressions;

namespace AgentGuard.Oversight;

/// <summary>
/// Evidence patterns that label a session watched or unwatched (the study's "actively reviewed and
/// monitored" against "operates autonomously without company monitoring").
/// </summary>
public sealed class ObservedPatterns
{
    /// <summary>No patterns.</summary>
    public static readonly ObservedPatterns None = new();

    /// <summary>Patterns whose match in the evidence labels a session watched.</summary>
    public IReadOnlyList<Regex> Watched { get; init; } = [];

    /// <summary>Patterns whose match in the evidence labels a session unwatched.</summary>
    public IReadOnlyList<Regex> Unwatched { get; init; } = [];
}
