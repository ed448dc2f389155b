using System.Collections.Concurrent;

namespace AgentGuard.Sessions;

/// <summary>
/// Sessions in this guard's memory: a call finds its session with one dictionary lookup; starting
/// one past <see cref="SessionStoreOptions.MaxSessions"/> evicts the least recently seen. The
/// evidence of an ended session stays with its agent for <see cref="SessionStoreOptions.EvidenceWindow"/>
/// (at most <see cref="SessionStoreOptions.MaxAgentEvidenceItems"/> items), so that reading the data in
/// one session and submitting in the next does not escape.
/// </summary>
/// <remarks>
/// Only starting a session takes a lock (to keep the cap exact); finding, touching and ending one
/// do not. Finding the least recently seen session scans the live ones: it happens only when the
/// store is full, once per new session, and is cheaper than keeping an LRU list ordered on every call.
/// </remarks>
public sealed class InMemorySessionStore : ISessionStore
{
    private readonly ConcurrentDictionary<SessionKey, Session> _sessions = new();
    private readonly Dictionary<string, Queue<Evidence>> _ended = new(StringComparer.Ordinal);
    private readonly Lock _startGate = new();
    private readonly Lock _endedGate = new();
    private readonly SessionStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Func<SessionKey, DateTimeOffset, Session> _startSession;
    private int _count;
    private long _evicted;
    private long _agentEvidenceDropped;

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
        _startSession = startSession ?? ((key, now) => new Session(key, now, options.Limits));
    }

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
                Prune(kept, windowStart);
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

    /// <summary>A session left the store: its evidence stays with its agent for the window.</summary>
    private void Ended(Session session)
    {
        Interlocked.Decrement(ref _count);
        var evidence = session.Evidence();
        if (evidence.Length == 0 || _options.MaxAgentEvidenceItems == 0)
        {
            return;
        }

        var windowStart = _timeProvider.GetUtcNow() - _options.EvidenceWindow;
        lock (_endedGate)
        {
            if (!_ended.TryGetValue(session.Key.Agent, out var kept))
            {
                kept = new Queue<Evidence>();
                _ended[session.Key.Agent] = kept;
            }

            Prune(kept, windowStart);
            foreach (var item in evidence)
            {
                if (item.Time < windowStart)
                {
                    continue;
                }

                if (kept.Count >= _options.MaxAgentEvidenceItems)
                {
                    kept.Dequeue();
                    Interlocked.Increment(ref _agentEvidenceDropped);
                }

                kept.Enqueue(item);
            }
        }
    }

    private static void Prune(Queue<Evidence> kept, DateTimeOffset windowStart)
    {
        // Sessions end in any order, so the queue is only roughly by time: prune from the front
        // while it is old; an older item behind a newer one goes when it reaches the front or
        // is filtered out on reading.
        while (kept.TryPeek(out var oldest) && oldest.Time < windowStart)
        {
            kept.Dequeue();
        }
    }
}
