using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using AgentGuard.Sessions;
using Npgsql;

namespace AgentGuard.Shared;

/// <summary>
/// Sessions of several replicas: each replica keeps its live sessions in memory (an
/// <see cref="InMemorySessionStore"/>) and decides from its own copy of every session's lineage and
/// of the evidence each agent read. What it records is queued and written to PostgreSQL off the
/// decision path; what the others record arrives by LISTEN/NOTIFY (and at the latest at the next
/// heartbeat) and is applied to the copy. A decision never waits for PostgreSQL: with it
/// unreachable, lineage is decided from the local copy, and writes wait in a bounded queue.
/// </summary>
/// <remarks>
/// Facts are read in sequence order. Two replicas' writes may commit out of order, so a number
/// skipped over is a gap, read again until it appears or <see cref="GapLife"/> passes (a rolled-back
/// write leaves a gap that never fills).
/// </remarks>
internal sealed partial class SharedSessionStore : ISessionStore
{
    private const int Page = 1000;
    private const int MaxGaps = 10_000;
    private static readonly TimeSpan GapLife = TimeSpan.FromSeconds(30);
    private const string LineageKind = "lineage";
    private const string ListedKind = "listed";
    private const string EvidenceKind = "evidence";
    private const string CallKind = "call";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _replica;
    private readonly string _channel;
    private readonly SessionStoreOptions _options;
    private readonly SharedStateOptions _shared;
    private readonly TimeProvider _time;
    private readonly SharedStateMetrics _metrics;
    private readonly ILogger _logger;
    private readonly InMemorySessionStore _local;
    private readonly ConcurrentDictionary<SessionKey, SharedLineage> _lineages = new();
    private readonly Channel<Fact> _writes;
    private readonly Channel<bool> _nudges = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<long, long> _gaps = [];
    private readonly ConcurrentDictionary<SessionKey, RemoteCalls> _remoteCalls = new();

    [ThreadStatic]
    private static Session? t_started;
    private long _lastSeq = -1;
    private int _writing;

    public SharedSessionStore(NpgsqlDataSource dataSource, string replica, string channel, SessionStoreOptions options, SharedStateOptions shared, TimeProvider timeProvider, SharedStateMetrics metrics, ILogger logger)
    {
        _channel = channel;
        _dataSource = dataSource;
        _replica = replica;
        _options = options;
        _shared = shared;
        _time = timeProvider;
        _metrics = metrics;
        _logger = logger;
        _local = new InMemorySessionStore(options, timeProvider, StartSession);
        _writes = Channel.CreateBounded<Fact>(
            new BoundedChannelOptions(shared.MaxQueuedWrites) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => metrics.Dropped());
    }

    /// <inheritdoc/>
    public event Action<Session>? Evicted
    {
        add => _local.Evicted += value;
        remove => _local.Evicted -= value;
    }

    /// <inheritdoc/>
    public int Count => _local.Count;

    /// <inheritdoc/>
    public EvidenceBudget Budget => _local.Budget;

    /// <inheritdoc/>
    public long EvidenceReclaimed => _local.EvidenceReclaimed;

    /// <summary>Facts of this replica not yet written to PostgreSQL.</summary>
    public int QueuedWrites => _writes.Reader.Count + Volatile.Read(ref _writing);

    /// <inheritdoc/>
    public Session GetOrStart(SessionKey key, DateTimeOffset now)
    {
        t_started = null;
        var session = _local.GetOrStart(key, now);
        if (ReferenceEquals(session, t_started) && _remoteCalls.TryGetValue(key, out var remote))
        {
            // Started here now: the calls other replicas decided in this session are its calls too.
            remote.Attach(session);
        }

        t_started = null;
        return session;
    }

    /// <inheritdoc/>
    public bool TryEnd(SessionKey key, out Session? session) => _local.TryEnd(key, out session);

    /// <inheritdoc/>
    public IReadOnlyList<Session> EndIdle(DateTimeOffset idleSince) => _local.EndIdle(idleSince);

    /// <inheritdoc/>
    /// <remarks>This replica's lineage of the session, which other replicas' records join; present while any replica used it within the retention.</remarks>
    public ILineage? Lineage(SessionKey key) => _lineages.TryGetValue(key, out var lineage) ? lineage : null;

    /// <inheritdoc/>
    /// <remarks>Other replicas' evidence is kept with the agent as the evidence of an ended session is, within the same budget.</remarks>
    public IReadOnlyList<Evidence> AgentEvidence(string agent, DateTimeOffset since) => _local.AgentEvidence(agent, since);

    /// <summary>Another replica wrote facts: catch up, off the caller's thread.</summary>
    public void Notified() => _nudges.Writer.TryWrite(true);

    /// <summary>Applies other replicas' facts as they are announced, until <paramref name="stop"/>.</summary>
    public async Task ReadAsync(CancellationToken stop)
    {
        try
        {
            while (await _nudges.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                _nudges.Reader.TryRead(out _);
                try
                {
                    await CatchUpAsync(stop).ConfigureAwait(false);
                }
                catch (Exception ex) when (SharedSchema.IsUnavailable(ex))
                {
                    LogReadFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Writes this replica's facts to PostgreSQL as they are queued, retrying while it is unreachable, until <paramref name="stop"/> (then what is left is written if PostgreSQL answers within <paramref name="flushLimit"/>).</summary>
    public async Task WriteAsync(CancellationToken stop, TimeSpan flushLimit)
    {
        var batch = new List<Fact>();
        var failing = false;
        try
        {
            while (await _writes.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (batch.Count < Page && _writes.Reader.TryRead(out var fact))
                {
                    batch.Add(fact);
                }

                Volatile.Write(ref _writing, batch.Count);
                while (true)
                {
                    try
                    {
                        await InsertAsync(batch, stop).ConfigureAwait(false);
                        batch.Clear();
                        Volatile.Write(ref _writing, 0);
                        if (failing)
                        {
                            failing = false;
                            LogWritesResumed(_logger);
                        }

                        break;
                    }
                    catch (PostgresException ex) when (ex.SqlState.StartsWith("22", StringComparison.Ordinal) || ex.SqlState.StartsWith("23", StringComparison.Ordinal))
                    {
                        // PostgreSQL refuses these facts themselves (a data error): retrying would stop every later write.
                        LogWriteRefused(_logger, ex, batch.Count);
                        for (var i = 0; i < batch.Count; i++)
                        {
                            _metrics.Dropped();
                        }

                        batch.Clear();
                        Volatile.Write(ref _writing, 0);
                        break;
                    }
                    catch (Exception ex) when (SharedSchema.IsUnavailable(ex) && !stop.IsCancellationRequested)
                    {
                        if (!failing)
                        {
                            failing = true;
                            LogWriteFailed(_logger, ex, _writes.Reader.Count + batch.Count);
                        }

                        await Task.Delay(TimeSpan.FromSeconds(1), _time, stop).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        // Stopping: what is left goes now, if PostgreSQL answers in time.
        while (_writes.Reader.TryRead(out var fact))
        {
            batch.Add(fact);
        }

        if (batch.Count > 0)
        {
            using var limit = new CancellationTokenSource(flushLimit, _time);
            try
            {
                await InsertAsync(batch, limit.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (SharedSchema.IsUnavailable(ex) || ex is OperationCanceledException)
            {
                LogWriteFailed(_logger, ex, batch.Count);
            }
        }
    }

    /// <summary>Forgets lineage not used on this replica within the retention (and, in PostgreSQL, facts older than it).</summary>
    public async Task PruneAsync(CancellationToken cancellationToken)
    {
        var before = _time.GetUtcNow() - _shared.Retention;
        foreach (var pair in _lineages)
        {
            if (pair.Value.LastUsed < before && !_local.TryGet(pair.Key, out _))
            {
                _lineages.TryRemove(pair);
            }
        }

        foreach (var pair in _remoteCalls)
        {
            if (pair.Value.LastUsed < before && !_local.TryGet(pair.Key, out _))
            {
                _remoteCalls.TryRemove(pair);
            }
        }

        await using var command = _dataSource.CreateCommand("DELETE FROM agentguard_session_facts WHERE written < now() - @retention");
        command.Parameters.AddWithValue("retention", _shared.Retention);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads what other replicas wrote since the last time (and the gaps left then); the first time, what is within the retention.</summary>
    /// <remarks>Called by one thread at a time: at start, then only by <see cref="ReadAsync"/>.</remarks>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var first = _lastSeq < 0;
        var now = _time.GetTimestamp();
        foreach (var (seq, seen) in _gaps.ToList())
        {
            if (_time.GetElapsedTime(seen) > GapLife)
            {
                _gaps.Remove(seq);
            }
        }

        var gaps = _gaps.Keys.ToArray();
        while (true)
        {
            await using var command = _dataSource.CreateCommand("""
                SELECT seq, replica, agent, session, kind, body, extract(epoch FROM clock_timestamp() - written)::float8
                FROM agentguard_session_facts
                WHERE (seq > @last OR seq = ANY(@gaps)) AND (NOT @first OR written > now() - @retention)
                ORDER BY seq LIMIT @page
                """);
            command.Parameters.AddWithValue("last", Math.Max(0, _lastSeq));
            command.Parameters.AddWithValue("gaps", gaps);
            command.Parameters.AddWithValue("first", first);
            command.Parameters.AddWithValue("retention", _shared.Retention);
            command.Parameters.AddWithValue("page", Page);
            var rows = 0;
            double lag = -1;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows++;
                    var seq = reader.GetInt64(0);
                    if (!_gaps.Remove(seq))
                    {
                        if (seq <= _lastSeq)
                        {
                            continue;
                        }

                        // Numbers skipped over may be writes not committed yet.
                        for (var missing = Math.Max(_lastSeq + 1, seq - MaxGaps); missing < seq && !first && _gaps.Count < MaxGaps; missing++)
                        {
                            _gaps[missing] = now;
                        }

                        _lastSeq = seq;
                    }

                    if (reader.GetString(1) != _replica)
                    {
                        Apply(new SessionKey(reader.GetString(2), reader.GetString(3)), reader.GetString(4), reader.GetString(5));
                        lag = reader.GetDouble(6);
                    }
                }
            }

            if (lag >= 0)
            {
                _metrics.Applied(lag);
            }

            gaps = [];
            if (rows < Page)
            {
                break;
            }
        }

        _lastSeq = Math.Max(_lastSeq, 0);
    }

    private Session StartSession(SessionKey key, DateTimeOffset now)
    {
        var lineage = _lineages.GetOrAdd(key, NewLineage);
        lineage.Used();
        var session = new Session(
            key,
            now,
            _options.Limits,
            lineage,
            (session, evidence) => Enqueue(session.Key, EvidenceKind, JsonSerializer.Serialize(evidence, Json), evidence.Time),
            (session, call) => Enqueue(session.Key, CallKind, JsonSerializer.Serialize(call, Json), call.Time),
            _local.Budget);
        t_started = session;
        return session;
    }

    private SharedLineage NewLineage(SessionKey key) => new(
        _options.Limits.MaxLineage,
        entry => Enqueue(key, LineageKind, JsonSerializer.Serialize(entry, Json), entry.Time),
        listed => Enqueue(key, ListedKind, JsonSerializer.Serialize(listed, Json), _time.GetUtcNow()),
        _time);

    private void Enqueue(SessionKey key, string kind, string body, DateTimeOffset time)
    {
        _writes.Writer.TryWrite(new Fact(key, kind, body, time));
        _metrics.Queued(QueuedWrites);
    }

    private void Apply(SessionKey key, string kind, string body)
    {
        switch (kind)
        {
            case LineageKind when JsonSerializer.Deserialize<LineageEntry>(body, Json) is { } entry:
                _lineages.GetOrAdd(key, NewLineage).Apply(entry);
                break;
            case ListedKind when JsonSerializer.Deserialize<ListedResource>(body, Json) is { } listed:
                _lineages.GetOrAdd(key, NewLineage).Apply(listed);
                break;
            case EvidenceKind when JsonSerializer.Deserialize<Evidence>(body, Json) is { } evidence:
                _local.KeepAgentEvidence(key.Agent, evidence);
                break;
            case CallKind when JsonSerializer.Deserialize<SessionCall>(body, Json) is { } call:
                _remoteCalls.GetOrAdd(key, _ => new RemoteCalls(_options.Limits.MaxCalls, _time)).Add(call, _local.TryGet(key, out var live) ? live : null);
                break;
        }
    }

    private async Task InsertAsync(List<Fact> batch, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand($"""
            INSERT INTO agentguard_session_facts (replica, agent, session, kind, time, body)
            SELECT @me, a, s, k, t, b FROM unnest(@agents, @sessions, @kinds, @times, @bodies) AS f(a, s, k, t, b);
            SELECT pg_notify('{_channel}', @me);
            """);
        command.Parameters.AddWithValue("me", _replica);
        command.Parameters.AddWithValue("agents", batch.Select(f => f.Key.Agent).ToArray());
        command.Parameters.AddWithValue("sessions", batch.Select(f => f.Key.Id).ToArray());
        command.Parameters.AddWithValue("kinds", batch.Select(f => f.Kind).ToArray());
        command.Parameters.AddWithValue("times", batch.Select(f => f.Time.UtcDateTime).ToArray());
        command.Parameters.AddWithValue("bodies", batch.Select(f => f.Body).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _metrics.Queued(_writes.Reader.Count);
    }

    private sealed record Fact(SessionKey Key, string Kind, string Body, DateTimeOffset Time);

    /// <summary>
    /// The calls other replicas decided in one session (bounded as a session's calls are), given to
    /// this replica's live session of the same key, and to one started later.
    /// </summary>
    private sealed class RemoteCalls(int capacity, TimeProvider time)
    {
        private readonly List<SessionCall> _calls = [];
        private readonly Lock _gate = new();
        private Session? _attached;
        private long _lastUsedTicks = time.GetUtcNow().UtcTicks;

        public DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

        public void Add(SessionCall call, Session? live)
        {
            lock (_gate)
            {
                if (_calls.Count < capacity)
                {
                    _calls.Add(call);
                }

                if (live is not null && ReferenceEquals(live, _attached))
                {
                    live.AddShared(call);
                }
                else if (live is not null)
                {
                    // A session live here since before any call of it came from elsewhere.
                    AttachLocked(live);
                }
            }

            Interlocked.Exchange(ref _lastUsedTicks, time.GetUtcNow().UtcTicks);
        }

        public void Attach(Session session)
        {
            lock (_gate)
            {
                AttachLocked(session);
            }
        }

        private void AttachLocked(Session session)
        {
            if (ReferenceEquals(session, _attached))
            {
                return;
            }

            _attached = session;
            foreach (var call in _calls)
            {
                session.AddShared(call);
            }
        }
    }

    [LoggerMessage(5211, LogLevel.Warning, "Writing lineage and evidence to the shared PostgreSQL failed ({Queued} facts queued); the other replicas learn of them when it answers, this replica keeps deciding from its own copy")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int queued);

    [LoggerMessage(5214, LogLevel.Error, "PostgreSQL refused {Count} lineage and evidence facts; they are dropped and the other replicas will not know them")]
    private static partial void LogWriteRefused(ILogger logger, Exception exception, int count);

    [LoggerMessage(5212, LogLevel.Information, "Writing lineage and evidence to the shared PostgreSQL works again")]
    private static partial void LogWritesResumed(ILogger logger);

    [LoggerMessage(5213, LogLevel.Debug, "Reading other replicas' lineage and evidence failed; the next heartbeat tries again")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);
}
