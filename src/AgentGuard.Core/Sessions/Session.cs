namespace AgentGuard.Sessions;

/// <summary>
/// What the guard remembers about one agent's run: the calls it made and the evidence it read,
/// each bounded, and the labels oversight gives it. Safe to use from several threads.
/// </summary>
public sealed class Session
{
    private readonly Lock _gate = new();
    private readonly List<Evidence> _evidence = [];
    private readonly List<SessionCall> _calls = [];
    private readonly SessionLimits _limits;
    private long _evidenceChars;
    private long _evidenceBytes;
    private int _evidenceCount;
    private EvidenceBudget? _budget;
    private long _lastSeenTicks;
    private bool? _observed;
    private bool _peerContext;
    private int _observing;
    private readonly Action<Session, Evidence>? _evidenceKept;
    private readonly Action<Session, SessionCall>? _callKept;

    /// <summary>Starts a session with a lineage of its own.</summary>
    public Session(SessionKey key, DateTimeOffset started, SessionLimits limits)
        : this(key, started, limits, new SessionLineage((limits ?? throw new ArgumentNullException(nameof(limits))).MaxLineage))
    {
    }

    /// <summary>
    /// Starts a session whose lineage is <paramref name="lineage"/> (one that replicas share), and
    /// which tells <paramref name="evidenceKept"/> and <paramref name="callKept"/> of every evidence
    /// item and call it keeps (to share them), and charges the evidence it keeps to <paramref name="budget"/>
    /// until it is closed.
    /// </summary>
    public Session(SessionKey key, DateTimeOffset started, SessionLimits limits, ILineage lineage, Action<Session, Evidence>? evidenceKept = null, Action<Session, SessionCall>? callKept = null, EvidenceBudget? budget = null)
    {
        _budget = budget;
        _callKept = callKept;
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(lineage);
        Key = key;
        Started = started;
        _limits = limits;
        _lastSeenTicks = started.UtcTicks;
        Lineage = lineage;
        _evidenceKept = evidenceKept;
    }

    /// <summary>The agent and session id.</summary>
    public SessionKey Key { get; }

    /// <summary>The resources this session made part of protected assets by copying, moving or uploading them.</summary>
    public ILineage Lineage { get; }

    /// <summary>When the first call arrived.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>When the last call or result was seen.</summary>
    public DateTimeOffset LastSeen => new(Interlocked.Read(ref _lastSeenTicks), TimeSpan.Zero);

    /// <summary>Whether the session is watched (a trusted header or an evidence pattern said so); <see langword="null"/> while nothing has said.</summary>
    public bool? Observed
    {
        get { lock (_gate) { return _observed; } }
        set { lock (_gate) { _observed = value; } }
    }

    /// <summary>Whether evidence in the session carried peer context (trust scores between agents, a peer-interaction memory).</summary>
    public bool PeerContext
    {
        get { lock (_gate) { return _peerContext; } }
        set { lock (_gate) { _peerContext = value; } }
    }

    /// <summary>Evidence dropped because the session's evidence cap was reached, or later to keep the guard's evidence within its budget.</summary>
    public int EvidenceDropped { get; private set; }

    /// <summary>Calls dropped because the session's call cap was reached.</summary>
    public int CallsDropped { get; private set; }

    /// <summary>Whether another evidence item would be kept (the item cap; the size cap is checked when it is added).</summary>
    public bool HasRoomForEvidence => Volatile.Read(ref _evidenceCount) < _limits.MaxEvidenceItems && Volatile.Read(ref _evidenceChars) < _limits.MaxEvidenceChars;

    /// <summary>Whether a forwarded call's answer is still being read for evidence: an agent may send its next call before the last bytes of the previous answer are scanned.</summary>
    public bool Observing => Volatile.Read(ref _observing) > 0;

    /// <summary>An answer in this session is being read for evidence, until <see cref="ObservationEnded"/>.</summary>
    public void ObservationStarted() => Interlocked.Increment(ref _observing);

    /// <summary>An answer's evidence, if any, is in the session.</summary>
    public void ObservationEnded() => Interlocked.Decrement(ref _observing);

    /// <summary>Waits, at most <paramref name="limit"/>, until no answer in this session is being read for evidence.</summary>
    public async Task ObservationsSettledAsync(TimeSpan limit, CancellationToken cancellationToken = default)
    {
        // Elapsed time, not a count of delays: a timer tick is often longer than the delay asked for.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (Observing && System.Diagnostics.Stopwatch.GetElapsedTime(started) < limit)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(2), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Marks the session as seen at <paramref name="now"/>.</summary>
    public void Touch(DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        var seen = Interlocked.Read(ref _lastSeenTicks);
        while (ticks > seen)
        {
            var was = Interlocked.CompareExchange(ref _lastSeenTicks, ticks, seen);
            if (was == seen)
            {
                break;
            }

            seen = was;
        }
    }

    /// <summary>Keeps <paramref name="evidence"/> unless the session's evidence cap is reached; false when it was dropped.</summary>
    public bool Add(Evidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        EvidenceBudget? budget;
        long bytes;
        lock (_gate)
        {
            if (_evidence.Count >= _limits.MaxEvidenceItems || _evidenceChars + evidence.Content.Length > _limits.MaxEvidenceChars)
            {
                EvidenceDropped++;
                return false;
            }

            bytes = EvidenceBudget.SizeOf(evidence);
            _evidence.Add(evidence);
            _evidenceChars += evidence.Content.Length;
            Volatile.Write(ref _evidenceBytes, _evidenceBytes + bytes);
            _evidenceCount = _evidence.Count;
            budget = _budget;
        }

        // Outside the lock: an overdrawn budget drops other sessions' evidence, taking their locks.
        budget?.Charge(bytes);
        _evidenceKept?.Invoke(this, evidence);
        return true;
    }

    /// <summary>
    /// Drops all the evidence kept so far, to keep the guard within its evidence budget, and returns
    /// how many items and bytes went; nothing once the session is closed (its evidence is its agent's then).
    /// </summary>
    public (int Items, long Bytes) DropEvidence()
    {
        lock (_gate)
        {
            if (_budget is null || _evidence.Count == 0)
            {
                return (0, 0);
            }

            var dropped = (_evidence.Count, _evidenceBytes);
            EvidenceDropped += _evidence.Count;
            _evidence.Clear();
            _evidenceChars = 0;
            Volatile.Write(ref _evidenceBytes, 0);
            _evidenceCount = 0;
            return dropped;
        }
    }

    /// <summary>
    /// The session left its store: returns the evidence kept, which the store now holds for the
    /// agent, and the bytes of it charged to the budget (none without one); evidence that arrives
    /// later is not charged.
    /// </summary>
    public (Evidence[] Evidence, long Charged) Close()
    {
        lock (_gate)
        {
            var charged = _budget is null ? 0 : _evidenceBytes;
            _budget = null;
            return ([.. _evidence], charged);
        }
    }

    /// <summary>The bytes of evidence the session holds (see <see cref="EvidenceBudget.SizeOf"/>).</summary>
    /// <remarks>Read without the lock (the store scans every live session when it reclaims): a moment old at worst.</remarks>
    public long EvidenceBytes => Volatile.Read(ref _evidenceBytes);

    /// <summary>Keeps <paramref name="call"/> unless the session's call cap is reached; false when it was dropped.</summary>
    public bool Add(SessionCall call)
    {
        if (!Keep(call))
        {
            return false;
        }

        _callKept?.Invoke(this, call);
        return true;
    }

    /// <summary>Keeps a call of this session that another replica decided (not shared again); false when the call cap dropped it.</summary>
    public bool AddShared(SessionCall call) => Keep(call);

    private bool Keep(SessionCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        lock (_gate)
        {
            if (_calls.Count >= _limits.MaxCalls)
            {
                CallsDropped++;
                return false;
            }

            _calls.Add(call);
            return true;
        }
    }

    /// <summary>A copy of the evidence kept so far, oldest first.</summary>
    public Evidence[] Evidence()
    {
        lock (_gate)
        {
            return [.. _evidence];
        }
    }

    /// <summary>A copy of the calls kept so far, oldest first.</summary>
    public SessionCall[] Calls()
    {
        lock (_gate)
        {
            return [.. _calls];
        }
    }
}
