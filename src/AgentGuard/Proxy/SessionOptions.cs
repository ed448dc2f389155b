namespace AgentGuard.Proxy;

/// <summary>
/// The <c>AgentGuard:Sessions</c> section: where a call's session comes from, when sessions end,
/// and how much the guard keeps of them.
/// </summary>
public sealed class SessionOptions
{
    /// <summary>
    /// The name of the orchestrator's session header, used when a request has no <c>Mcp-Session-Id</c>.
    /// Default none. Trusted only when signed with <see cref="SigningKeyFile"/> (or <see cref="SigningKey"/>)
    /// or when <see cref="HeaderTrusted"/> is set; removed before the tool server sees the request.
    /// </summary>
    public string? Header { get; set; }

    /// <summary>
    /// The name of the orchestrator's <c>observed</c> header (<c>true</c> or <c>false</c>, signed as
    /// <see cref="Header"/> is), which labels the session watched or not. Default none; removed before
    /// the tool server sees the request.
    /// </summary>
    public string? ObservedHeader { get; set; }

    /// <summary>
    /// Whether the deployment vouches that the agent cannot set <see cref="Header"/> and
    /// <see cref="ObservedHeader"/> (the orchestrator sets them on a path the agent's process has no
    /// part in): then their plain values are trusted. Default false: only signed values are.
    /// </summary>
    public bool HeaderTrusted { get; set; }

    /// <summary>
    /// A file holding the key for the headers' HMAC-SHA256 signatures (its text, trimmed, as UTF-8);
    /// it must be one the agent cannot read. Default none.
    /// </summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>The shortest accepted signing key: 16 characters.</summary>
    public const int MinSigningKeyLength = 16;

    /// <summary>The signing key itself, from a secret (e.g. <c>AgentGuard__Sessions__SigningKey</c>); <see cref="SigningKeyFile"/> wins when both are set. Default none.</summary>
    public string? SigningKey { get; set; }

    /// <summary>How old a signed header's time may be (and how far ahead of the guard's clock). Default 5 minutes; range 1 second to 1 day.</summary>
    public TimeSpan MaxHeaderAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A session with no call for this long ends; without an <c>Mcp-Session-Id</c> or a trusted header,
    /// a gap this long between an agent's calls starts a new session. Default 30 minutes; range 1 second to 7 days.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often idle sessions are looked for. Default 30 seconds; range 1 second to <see cref="IdleTimeout"/>.</summary>
    public TimeSpan IdleCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Tools whose call ends the session once forwarded (the call is decided and forwarded as any other). Default <c>end_task</c>.</summary>
    public List<string> EndTools { get; set; } = ["end_task"];

    /// <summary>The most live sessions; one more evicts the least recently seen. Default 10,000; range 1 to 10,000,000.</summary>
    public int MaxSessions { get; set; } = 10_000;

    /// <summary>The most evidence items per session. Default 256.</summary>
    public int MaxEvidenceItems { get; set; } = 256;

    /// <summary>The most evidence characters per session. Default 1 Mi.</summary>
    public long MaxEvidenceChars { get; set; } = 1024 * 1024;

    /// <summary>The most characters kept of one result; the rest is cut and the evidence marked truncated. Default 64 Ki; range 1 to 16 Mi.</summary>
    public int MaxEvidenceItemChars { get; set; } = 64 * 1024;

    /// <summary>The most calls kept per session. Default 1,024.</summary>
    public int MaxCalls { get; set; } = 1024;

    /// <summary>
    /// The most resources one session's lineage records (copies, moves and recognised uploads of
    /// protected resources). At the cap, further copies of protected resources are denied (rule
    /// <c>lineage-full</c>) rather than the oldest lineage forgotten. Default 4,096.
    /// </summary>
    public int MaxLineage { get; set; } = 4096;

    /// <summary>How long evidence stays with its agent after its session ended. Default 1 hour.</summary>
    public TimeSpan EvidenceWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most evidence items kept per agent from ended sessions. Default 1,024.</summary>
    public int MaxAgentEvidenceItems { get; set; } = 1024;

    /// <summary>
    /// The most bytes of evidence the guard holds in all, live sessions and ended ones together (text
    /// counts two bytes a character). Past it the oldest evidence is dropped first, counted in
    /// <c>agentguard_evidence_dropped_total{reason="budget"}</c>. Default 64 MiB.
    /// </summary>
    public long MaxEvidenceBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Whether tool results on inspected routes are observed as evidence. Default true.</summary>
    public bool Observe { get; set; } = true;
}
