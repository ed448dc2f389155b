using AgentGuard.Sessions;

namespace AgentGuard.Oversight;

/// <summary>The sink when no oversight is configured: it drops everything.</summary>
public sealed class NullOversightSink : IOversightSink
{
    /// <summary>The one instance.</summary>
    public static NullOversightSink Instance { get; } = new();

    /// <inheritdoc/>
    public void CallDecided(Session session, SessionCall call)
    {
    }

    /// <inheritdoc/>
    public void EvidenceObserved(Session session, Evidence evidence)
    {
    }

    /// <inheritdoc/>
    public void SessionEnded(Session session, SessionEndReason reason)
    {
    }
}
