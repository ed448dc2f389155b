using AgentGuard.Sessions;

namespace AgentGuard.Admin;

/// <summary>
/// What the review page reads: the audit log's index and its cached chain status (both
/// <see langword="null"/> when the log is off), the held calls, and the data plane's sessions
/// (the admin plane is another application; it reaches them through <see cref="Sessions"/>).
/// </summary>
internal sealed class ReviewServices(ReviewLog? log, ReviewChainStatus? chain, Approvals approvals, Func<ISessionStore?> sessions, TimeSpan evidenceWindow)
{
    public ReviewLog? Log { get; } = log;

    public ReviewChainStatus? Chain { get; } = chain;

    public Approvals Approvals { get; } = approvals;

    /// <summary>The data plane's session store, or <see langword="null"/> when it is not running.</summary>
    public Func<ISessionStore?> Sessions { get; } = sessions;

    /// <summary>How far back the sessions keep an agent's evidence.</summary>
    public TimeSpan EvidenceWindow { get; } = evidenceWindow;
}
