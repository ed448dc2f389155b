using AgentGuard.Policy;

namespace AgentGuard.Telemetry;

/// <summary>The label and attribute values of the closed enums, spelled once for metrics and spans alike.</summary>
internal static class TelemetryLabels
{
    /// <summary><c>allow</c>, <c>flag</c>, <c>hold</c>, <c>deny</c>, indexed by <see cref="DecisionKind"/>.</summary>
    public static readonly string[] Decisions = ["allow", "flag", "hold", "deny"];

    /// <summary><c>info</c> to <c>critical</c>, indexed by <see cref="Policy.Severity"/>.</summary>
    public static readonly string[] Severities = ["info", "low", "medium", "high", "critical"];

    public static string Decision(DecisionKind kind) => Decisions[(int)kind];

    public static string Severity(Severity severity) => Severities[(int)severity];
}
