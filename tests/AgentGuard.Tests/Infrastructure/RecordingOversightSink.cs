using System.Collections.Concurrent;
using AgentGuard.Oversight;
using AgentGuard.Sessions;

namespace AgentGuard.Infrastructure;

/// <summary>An oversight sink that remembers what the request path handed it.</summary>
internal sealed class RecordingOversightSink : IOversightSink
{
    public ConcurrentQueue<(Session Session, SessionCall Call)> Calls { get; } = new();

    public ConcurrentQueue<(Session Session, Evidence Evidence)> Evidence { get; } = new();

    public ConcurrentQueue<(Session Session, SessionEndReason Reason)> Ended { get; } = new();

    public void CallDecided(Session session, SessionCall call) => Calls.Enqueue((session, call));

    public void EvidenceObserved(Session session, Evidence evidence) => Evidence.Enqueue((session, evidence));

    /// <summary>How many evidence items each ended session held when its end was told.</summary>
    public ConcurrentQueue<int> EvidenceAtEnd { get; } = new();

    public void SessionEnded(Session session, SessionEndReason reason)
    {
        EvidenceAtEnd.Enqueue(session.Evidence().Length);
        Ended.Enqueue((session, reason));
    }
}
