using AgentGuard.Sessions;

namespace AgentGuard.Oversight;

/// <summary>
/// What oversight makes of a session's calls and of its end: findings across calls. Called by the
/// guard's background oversight service, one session's events in order, never on a request's thread.
/// </summary>
public interface IOversight
{
    /// <summary>Looks at a decided call: a submission is re-scored, a mandated call meets its obligation.</summary>
    ValueTask<IReadOnlyList<OversightFinding>> OnCallAsync(Session session, SessionCall call, CancellationToken cancellationToken);

    /// <summary>Looks at a session's end: obligations never met, the watched-versus-unwatched comparison.</summary>
    ValueTask<IReadOnlyList<OversightFinding>> OnSessionEndedAsync(Session session, SessionEndReason reason, CancellationToken cancellationToken);
}
