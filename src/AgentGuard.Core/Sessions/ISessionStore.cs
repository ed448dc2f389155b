namespace AgentGuard.Sessions;

/// <summary>
/// Where sessions live. In memory in one guard now; a shared store for replicas implements the
/// same interface, so the decision code never changes.
/// </summary>
public interface ISessionStore
{
    /// <summary>The live session for <paramref name="key"/>, started at <paramref name="now"/> when there is none; evicts the least recently used one when full.</summary>
    Session GetOrStart(SessionKey key, DateTimeOffset now);

    /// <summary>Ends the session for <paramref name="key"/>; false when there is none.</summary>
    bool TryEnd(SessionKey key, out Session? session);

    /// <summary>Ends and returns the sessions not seen since <paramref name="idleSince"/>.</summary>
    IReadOnlyList<Session> EndIdle(DateTimeOffset idleSince);

    /// <summary>The evidence <paramref name="agent"/> read in any session since <paramref name="since"/>, ended sessions included: reading in one session and submitting in another does not escape.</summary>
    IReadOnlyList<Evidence> AgentEvidence(string agent, DateTimeOffset since);

    /// <summary>
    /// The lineage of the live session for <paramref name="key"/>, or <see langword="null"/> when there
    /// is none. In memory it is the session's own; a shared store returns one that every replica sees.
    /// </summary>
    ILineage? Lineage(SessionKey key);

    /// <summary>Raised (on the thread that started another session) for a session ended because the store was full and it was the least recently seen.</summary>
    event Action<Session>? Evicted;

    /// <summary>How many sessions are live.</summary>
    int Count { get; }

    /// <summary>The bytes of evidence held, live and ended, against the store's cap.</summary>
    EvidenceBudget Budget { get; }

    /// <summary>Evidence items dropped to keep within <see cref="Budget"/>.</summary>
    long EvidenceReclaimed { get; }
}
