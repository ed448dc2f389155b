namespace AgentGuard.Sessions;

/// <summary>How much an <see cref="InMemorySessionStore"/> keeps: live sessions, each session's share, and the evidence kept per agent after its sessions end.</summary>
public sealed record SessionStoreOptions
{
    /// <summary>The most live sessions; starting one more evicts the least recently used. Default 10,000.</summary>
    public int MaxSessions { get; init; } = 10_000;

    /// <summary>What one session keeps.</summary>
    public SessionLimits Limits { get; init; } = new();

    /// <summary>How long evidence stays with its agent after the session it was read in has ended. Default one hour.</summary>
    public TimeSpan EvidenceWindow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The most evidence items kept per agent from ended sessions; the oldest go first. Default 1,024.</summary>
    public int MaxAgentEvidenceItems { get; init; } = 1024;

    /// <summary>The most bytes of evidence held in all, live sessions and ended ones; past it the oldest goes first. Default 64 MiB.</summary>
    public long MaxEvidenceBytes { get; init; } = 64L * 1024 * 1024;
}
