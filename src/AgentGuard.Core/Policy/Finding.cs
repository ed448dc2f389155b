namespace AgentGuard.Policy;

/// <summary>The behaviour a decision is about, e.g. <c>shutdown-tampering</c>, and how serious it is.</summary>
public sealed record Finding(string Category, Severity Severity)
{
    /// <summary>A request on an inspected route that could not be read or understood.</summary>
    public static readonly Finding InspectionFailure = new("inspection-failure", Severity.Medium);

    /// <summary>A tool no mapping describes, called while strict mode is on.</summary>
    public static readonly Finding UnmappedTool = new("unmapped-tool", Severity.Medium);

    /// <summary>An effect on a decoy resource the policy declares, which no honest task touches.</summary>
    public static readonly Finding CanaryTouched = new("canary-touched", Severity.Critical);

    /// <summary>A copy of a protected resource the session's full lineage could not track.</summary>
    public static readonly Finding LineageFull = new("lineage-full", Severity.High);
}
