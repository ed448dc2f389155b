using System.Collections.Concurrent;

namespace AgentGuard.Sessions;

/// <summary>
/// Sessions in this guard's memory: a call finds its session with one dictionary lookup; starting
/// one past <see cref="SessionStoreOptions.MaxSessions"/> evicts the least recently seen. The
/// evidence of an ended session stays with its agent for <see cref="SessionStoreOptions.EvidenceWindow"/>
/// (at most <see cref="SessionStoreOptions.MaxAgentEvidenceItems"/> items), so that reading the data in
/// one session and submitting in the next does not escape. All evidence together, live and ended,
/// stays within <see cref="SessionStoreOptions.MaxEvidenceBytes"/>: past it, the oldest goes first
/// (ended evidence by the time it was read, a live session's all at once by when it was last seen)
/// until a tenth of the budget is free.
/// </summary>
/// <remarks>
/// Only starting a session takes a lock (to keep the cap exact); finding, touching and ending one
/// do not. Finding the least recently seen session scans the live ones: it happens only when the
/// store is full, once per new session, and is cheaper than keeping an LRU list ordered on every call.
/// Reclaiming evidence scans them too, once per tenth of the budget.
/// </remarks>
public sealed class InMemorySessionStore : ISessionStore
{
    private readonly ConcurrentDictionary<SessionKey, Session> _sessions = new();
    private readonly Dictionary<string, Queue<Evidence>> _ended = new(StringComparer.Ordinal);
    private readonly Lock _startGate = new();
    private readonly Lock _endedGate = new();
    private readonly Lock _reclaimGate = new();
    private readonly SessionStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Func<SessionKey, DateTimeOffset, Session> _startSession;
    private int _count;
    private long _evicted;
    private long _agentEvidenceDropped;
    private long _evidenceReclaimed;

    /// <summary>Creates an empty store.</summary>
    public InMemorySessionStore(SessionStoreOptions options, TimeProvider timeProvider)
        : this(options, timeProvider, null)
    {
    }

    /// <summary>
    /// Creates an empty store whose sessions <paramref name="startSession"/> makes (a shared store gives
    /// them a lineage every replica sees); <see langword="null"/> for sessions of their own.
    /// </summary>
    public InMemorySessionStore(SessionStoreOptions options, TimeProvider timeProvider, Func<SessionKey, DateTimeOffset, Session>? startSession)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSessions, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxAgentEvidenceItems);
        _options = options;
        _timeProvider = timeProvider;
        Budget = new EvidenceBudget(options.MaxEvidenceBytes, Reclaim);
        _startSession = startSession ?? ((key, now) => new Session(key, now, options.Limits, new SessionLineage(options.Limits.MaxLineage), budget: Budget));
    }

    /// <inheritdoc/>
    /// <remarks>Sessions started by the caller's own factory should be given this budget.</remarks>
    public EvidenceBudget Budget { get; }

    /// <inheritdoc/>
    public long EvidenceReclaimed => Interlocked.Read(ref _evidenceReclaimed);

    /// <inheritdoc/>
    public event Action<Session>? Evicted;

    /// <inheritdoc/>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Sessions evicted because the store was full.</summary>
    public long EvictedCount => Interlocked.Read(ref _evicted);

    /// <summary>Evidence of ended sessions dropped because its agent's share was full.</summary>
    public long AgentEvidenceDropped => Interlocked.Read(ref _agentEvidenceDropped);

    /// <inheritdoc/>
    public ILineage? Lineage(SessionKey key) => _sessions.TryGetValue(key, out var session) ? session.Lineage : null;

    /// <summary>The live session for <paramref name="key"/>, without starting one.</summary>
    public bool TryGet(SessionKey key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Session? session) => _sessions.TryGetValue(key, out session);

    /// <inheritdoc/>
    public Session GetOrStart(SessionKey key, DateTimeOffset now)
    {
        if (_sessions.TryGetValue(key, out var session))
        {
            session.Touch(now);
            return session;
        }

        return Start(key, now);
    }

    /// <inheritdoc/>
    public bool TryEnd(SessionKey key, out Session? session)
    {
        if (_sessions.TryRemove(key, out session))
        {
            Ended(session);
            return true;
        }

        return false;
    }

    /// <inheritdoc/>
    public IReadOnlyList<Session> EndIdle(DateTimeOffset idleSince)
    {
        List<Session>? ended = null;
        foreach (var pair in _sessions)
        {
            if (pair.Value.LastSeen < idleSince && _sessions.TryRemove(pair))
            {
                Ended(pair.Value);
                (ended ??= []).Add(pair.Value);
            }
        }

        return ended ?? (IReadOnlyList<Session>)[];
    }

    /// <inheritdoc/>
    public IReadOnlyList<Evidence> AgentEvidence(string agent, DateTimeOffset since)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var windowStart = _timeProvider.GetUtcNow() - _options.EvidenceWindow;
        var evidence = new List<Evidence>();
        lock (_endedGate)
        {
            if (_ended.TryGetValue(agent, out var kept))
            {
                Budget.Release(Prune(kept, windowStart));
                foreach (var item in kept)
                {
                    if (item.Time >= since && item.Time >= windowStart)
                    {
                        evidence.Add(item);
                    }
                }
            }
        }

        foreach (var pair in _sessions)
        {
            if (pair.Key.Agent == agent)
            {
                foreach (var item in pair.Value.Evidence())
                {
                    if (item.Time >= since)
                    {
                        evidence.Add(item);
                    }
                }
            }
        }

        evidence.Sort(static (a, b) => a.Time.CompareTo(b.Time));
        return evidence;
    }

    private Session Start(SessionKey key, DateTimeOffset now)
    {
        var started = _startSession(key, now);
        Session? evicted = null;
        lock (_startGate)
        {
            if (_sessions.TryGetValue(key, out var existing))
            {
                existing.Touch(now);
                return existing;
            }

            if (Volatile.Read(ref _count) >= _options.MaxSessions)
            {
                evicted = EvictLeastRecentlySeen();
            }

            _sessions[key] = started;
            Interlocked.Increment(ref _count);
        }

        if (evicted is not null)
        {
            Evicted?.Invoke(evicted);
        }

        return started;
    }

    private Session? EvictLeastRecentlySeen()
    {
        // Another thread may end the one found before it is removed; then look again.
        while (true)
        {
            KeyValuePair<SessionKey, Session>? oldest = null;
            foreach (var pair in _sessions)
            {
                if (oldest is null || pair.Value.LastSeen < oldest.Value.Value.LastSeen)
                {
                    oldest = pair;
                }
            }

            if (oldest is null)
            {
                return null;
            }

            if (_sessions.TryRemove(oldest.Value))
            {
                Interlocked.Increment(ref _evicted);
                Ended(oldest.Value.Value);
                return oldest.Value.Value;
            }
        }
    }

    /// <summary>
    /// Keeps <paramref name="evidence"/> with <paramref name="agent"/> for the window, as the evidence
    /// of an ended session is kept: evidence the agent read somewhere else (another replica).
    /// </summary>
    public void KeepAgentEvidence(string agent, Evidence evidence)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(evidence);
        var bytes = EvidenceBudget.SizeOf(evidence);
        if (Keep(agent, [evidence]) > 0)
        {
            Budget.Charge(bytes);
        }
    }

    /// <summary>A session left the store: its evidence stays with its agent for the window.</summary>
    private void Ended(Session session)
    {
        Interlocked.Decrement(ref _count);
        var (evidence, charged) = session.Close();

        // What the session charged moves to its agent; what the agent does not keep is released.
        var kept = Keep(session.Key.Agent, evidence);
        if (kept > charged)
        {
            Budget.Charge(kept - charged);
        }
        else
        {
            Budget.Release(charged - kept);
        }
    }

    /// <summary>Adds <paramref name="evidence"/> to the agent's share, dropping the oldest over its cap; returns the bytes added (those dropped are released).</summary>
    private long Keep(string agent, Evidence[] evidence)
    {
        if (evidence.Length == 0 || _options.MaxAgentEvidenceItems == 0)
        {
            return 0;
        }

        var windowStart = _timeProvider.GetUtcNow() - _options.EvidenceWindow;
        var added = 0L;
        var released = 0L;
        lock (_endedGate)
        {
            if (!_ended.TryGetValue(agent, out var kept))
            {
                kept = new Queue<Evidence>();
                _ended[agent] = kept;
            }

            released += Prune(kept, windowStart);
            foreach (var item in evidence)
            {
                if (item.Time < windowStart)
                {
                    continue;
                }

                if (kept.Count >= _options.MaxAgentEvidenceItems)
                {
                    released += EvidenceBudget.SizeOf(kept.Dequeue());
                    Interlocked.Increment(ref _agentEvidenceDropped);
                }

                kept.Enqueue(item);
                added += EvidenceBudget.SizeOf(item);
            }
        }

        Budget.Release(released);
        return added;
    }

    /// <summary>Drops the agent's evidence older than the window; returns its bytes.</summary>
    private static long Prune(Queue<Evidence> kept, DateTimeOffset windowStart)
    {
        // Sessions end in any order, so the queue is only roughly by time: prune from the front
        // while it is old; an older item behind a newer one goes when it reaches the front or
        // is filtered out on reading.
        var released = 0L;
        while (kept.TryPeek(out var oldest) && oldest.Time < windowStart)
        {
            released += EvidenceBudget.SizeOf(kept.Dequeue());
        }

        return released;
    }

    /// <summary>
    /// The budget is overdrawn: drops the oldest evidence until a tenth of it is free. One thread
    /// reclaims at a time; the others go on (the budget may be over by what they add meanwhile).
    /// </summary>
    private void Reclaim()
    {
        if (!_reclaimGate.TryEnter())
        {
            return;
        }

        try
        {
            var target = Budget.Capacity - (Budget.Capacity / 10);
            var live = new List<(DateTimeOffset Seen, Session Session)>();
            foreach (var pair in _sessions)
            {
                if (pair.Value.EvidenceBytes > 0)
                {
                    live.Add((pair.Value.LastSeen, pair.Value));
                }
            }

            live.Sort(static (a, b) => a.Seen.CompareTo(b.Seen));
            var next = 0;
            while (Budget.Used > target)
            {
                var seen = next < live.Count ? live[next].Seen : DateTimeOffset.MaxValue;
                if (DropEnded(seen, target))
                {
                    continue;
                }

                if (next == live.Count)
                {
                    break;
                }

                var (items, bytes) = live[next++].Session.DropEvidence();
                Budget.Release(bytes);
                Interlocked.Add(ref _evidenceReclaimed, items);
            }
        }
        finally
        {
            _reclaimGate.Exit();
        }
    }

    /// <summary>Drops ended evidence read before <paramref name="before"/>, oldest first, while the budget is over <paramref name="target"/>; false when there is none.</summary>
    private bool DropEnded(DateTimeOffset before, long target)
    {
        lock (_endedGate)
        {
            // The agent whose oldest item is oldest gives items until they are newer than the next agent's oldest.
            Queue<Evidence>? oldest = null;
            var bound = before;
            foreach (var kept in _ended.Values)
            {
                if (!kept.TryPeek(out var front))
                {
                    continue;
                }

                if (oldest is null || front.Time < oldest.Peek().Time)
                {
                    if (oldest is not null && oldest.Peek().Time < bound)
                    {
                        bound = oldest.Peek().Time;
                    }

                    oldest = kept;
                }
                else if (front.Time < bound)
                {
                    bound = front.Time;
                }
            }

            if (oldest is null || oldest.Peek().Time >= before)
            {
                return false;
            }

            var released = 0L;
            var items = 0;
            do
            {
                released += EvidenceBudget.SizeOf(oldest.Dequeue());
                items++;
            }
            while (oldest.TryPeek(out var front) && front.Time <= bound && Budget.Used - released > target);

            Budget.Release(released);
            Interlocked.Add(ref _evidenceReclaimed, items);
            return true;
        }
    }
}
