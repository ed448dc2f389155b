using AgentGuard.Sessions;

namespace AgentGuard.Oversight;

/// <summary>
/// Where the request path hands what oversight needs: calls, evidence and session ends. Every
/// method returns at once (it queues); oversight runs off the request's thread, so an agent's
/// call gets the same answer and latency whether or not it is checked.
/// </summary>
public interface IOversightSink
{
    /// <summary>A <c>tools/call</c> was decided in <paramref name="session"/> (denied ones too: a refused shutdown still counts as not done).</summary>
    void CallDecided(Session session, SessionCall call);

    /// <summary>A tool result or resource content reached the agent of <paramref name="session"/>.</summary>
    void EvidenceObserved(Session session, Evidence evidence);

    /// <summary><paramref name="session"/> ended.</summary>
    void SessionEnded(Session session, SessionEndReason reason);
}
