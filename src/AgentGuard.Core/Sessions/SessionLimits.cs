namespace AgentGuard.Sessions;

/// <summary>How much one session keeps; what is over a cap is dropped and counted.</summary>
public sealed record SessionLimits
{
    /// <summary>The most evidence items per session. Default 256.</summary>
    public int MaxEvidenceItems { get; init; } = 256;

    /// <summary>The most evidence characters per session, all items together. Default 1 Mi.</summary>
    public long MaxEvidenceChars { get; init; } = 1024 * 1024;

    /// <summary>The most characters kept of one result; the rest is cut and the evidence marked truncated. Default 64 Ki.</summary>
    public int MaxEvidenceItemChars { get; init; } = 64 * 1024;

    /// <summary>The most calls per session. Default 1,024.</summary>
    public int MaxCalls { get; init; } = 1024;

    /// <summary>The most resources a session's lineage records (copies of protected resources); at the cap further such copies are denied. Default 4,096.</summary>
    public int MaxLineage { get; init; } = 4096;
}
