using AgentGuard.Oversight;
using AgentGuard.Audit;
using AgentGuard.Sessions;
using Npgsql;
using Prometheus;

namespace AgentGuard.Shared;

/// <summary>
/// This replica's part in the state replicas share through PostgreSQL: the hold queue, the session
/// store, one LISTEN connection that feeds both, and a heartbeat that says the replica is alive,
/// catches up on notifications missed while disconnected, and records the holds of dead replicas as
/// abandoned. Starting never fails because PostgreSQL is down: the replica serves from its local copy
/// (holds denied) and joins when PostgreSQL answers.
/// </summary>
internal sealed partial class SharedState : IAsyncDisposable
{
    private const int DefaultConnectTimeoutSeconds = 3;
    private const int DefaultCommandTimeoutSeconds = 5;
    private static readonly TimeSpan FlushLimit = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);

    private readonly NpgsqlDataSource _dataSource;
    private readonly SharedStateOptions _options;
    private readonly string? _schema;
    private readonly string _holdsChannel;
    private readonly string _sessionsChannel;
    private readonly TimeProvider _time;
    private readonly SharedStateMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private Task? _writer;
    private bool _schemaReady;
    private bool _leftoversAbandoned;
    private bool _started;
    private bool? _reachable;
    private long _lastPruneTicks;

    private readonly ILoggerFactory _loggers;

    private SharedState(NpgsqlDataSource dataSource, string replica, string? schema, SharedStateOptions options, SessionStoreOptions sessions, AuditLog? audit, TimeProvider time, CollectorRegistry registry, ILoggerFactory loggers)
    {
        _dataSource = dataSource;
        _options = options;
        _schema = schema;
        _time = time;
        _metrics = new SharedStateMetrics(registry);
        _logger = loggers.CreateLogger<SharedState>();
        _loggers = loggers;
        Replica = replica;
        _holdsChannel = SharedSchema.HoldsChannel(schema);
        _sessionsChannel = SharedSchema.SessionsChannel(schema);
        Holds = new PostgresHoldQueue(dataSource, replica, _holdsChannel, time, audit, loggers.CreateLogger<PostgresHoldQueue>());
        Sessions = new SharedSessionStore(dataSource, replica, _sessionsChannel, sessions, options, time, _metrics, loggers.CreateLogger<SharedSessionStore>());
        Obligations = new SharedObligations(dataSource, replica, options.ReplicaTimeout, loggers.CreateLogger<SharedObligations>());
    }

    /// <summary>This replica's name in the shared tables.</summary>
    public string Replica { get; }

    /// <summary>The shared hold queue.</summary>
    public PostgresHoldQueue Holds { get; }

    /// <summary>Open obligations, shared so that a live replica adopts those of one that died.</summary>
    public IObligationLedger Obligations { get; }

    /// <summary>The watched-versus-unwatched comparison over every replica's ended sessions.</summary>
    public IWatchedComparison Watched(WatchedComparisonOptions options) => new SharedWatchedComparison(_dataSource, Replica, options, _loggers.CreateLogger<SharedWatchedComparison>());

    /// <summary>The shared session store.</summary>
    public SharedSessionStore Sessions { get; }

    /// <summary>Whether the LISTEN connection is up.</summary>
    public bool Listening { get; private set; }

    /// <summary>Connects (or, with PostgreSQL down, starts without it), creates the tables, catches up and starts listening.</summary>
    public static async Task<SharedState> StartAsync(SharedStateOptions options, SessionStoreOptions sessions, AuditLog? audit, TimeProvider time, CollectorRegistry registry, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnectionStringBuilder(options.Postgres);
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = options.Postgres };

        // Npgsql waits 15 s to connect and 30 s for a command by default: a held call would wait that
        // long to be denied while PostgreSQL is unreachable. Unless the connection string says otherwise, far less.
        if (!given.ContainsKey("Timeout"))
        {
            connection.Timeout = DefaultConnectTimeoutSeconds;
        }

        if (!given.ContainsKey("Command Timeout") && !given.ContainsKey("CommandTimeout"))
        {
            connection.CommandTimeout = DefaultCommandTimeoutSeconds;
        }

        if (connection.KeepAlive == 0)
        {
            // A LISTEN connection otherwise waits forever on a peer that vanished without closing.
            connection.KeepAlive = Math.Max(1, (int)options.Heartbeat.TotalSeconds);
        }

        var schema = connection.SearchPath?.Split(',')[0].Trim().Trim('"') is { Length: > 0 } first && first != "public" ? first : null;
        var replica = options.Replica is { Length: > 0 } named ? named : $"{Environment.MachineName}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";
        var state = new SharedState(NpgsqlDataSource.Create(connection), replica, schema, options, sessions, audit, time, registry, loggers);
        await state.JoinAsync(cancellationToken).ConfigureAwait(false);
        state.Start();
        return state;
    }

    /// <summary>Stops listening and the heartbeat, and writes what is still queued (for a few seconds at most). The replica's row goes, so its holds, if any are left, are abandoned at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
            if (_writer is not null)
            {
                await _writer.ConfigureAwait(false);
            }

            using var limit = new CancellationTokenSource(FlushLimit, _time);
            await using var command = _dataSource.CreateCommand("DELETE FROM agentguard_replicas WHERE id = @me");
            command.Parameters.AddWithValue("me", Replica);
            await command.ExecuteNonQueryAsync(limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (SharedSchema.IsUnavailable(ex) || ex is OperationCanceledException)
        {
            LogUnreachable(_logger, ex);
        }
        finally
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
            _stop.Dispose();
        }
    }

    /// <summary>Stops every loop without a word to PostgreSQL: what a replica killed with SIGKILL leaves behind (for tests).</summary>
    internal async ValueTask AbandonAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        _dataSource.Clear();
    }

    private void Start()
    {
        _started = true;
        var stop = _stop.Token;
        _loops.Add(Task.Run(() => Holds.RunAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(() => Sessions.ReadAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(() => ListenAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(() => HeartbeatAsync(stop), CancellationToken.None));
        _writer = Task.Run(() => Sessions.WriteAsync(stop, FlushLimit), CancellationToken.None);
    }

    /// <summary>The tables, this replica's row, its leftovers from an earlier life abandoned, and the others' lineage and evidence loaded.</summary>
    private async Task JoinAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!_schemaReady)
            {
                await SharedSchema.EnsureAsync(_dataSource, _schema, cancellationToken).ConfigureAwait(false);
                _schemaReady = true;
            }

            if (!_leftoversAbandoned)
            {
                await Holds.AbandonAsync(_options.ReplicaTimeout, ownLeftovers: true, cancellationToken).ConfigureAwait(false);
                _leftoversAbandoned = true;
            }

            if (!_started)
            {
                // Before serving; later, the reader loop catches up (one reader at a time).
                await Sessions.CatchUpAsync(cancellationToken).ConfigureAwait(false);
            }

            await BeatAsync(cancellationToken).ConfigureAwait(false);
            Reachable(true);
        }
        catch (Exception ex) when (SharedSchema.IsUnavailable(ex))
        {
            Reachable(false, ex);
        }
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "INSERT INTO agentguard_replicas (id) VALUES (@me) ON CONFLICT (id) DO UPDATE SET seen = now()");
        command.Parameters.AddWithValue("me", Replica);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task HeartbeatAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(_options.Heartbeat, _time, stop).ConfigureAwait(false);
                await JoinAsync(stop).ConfigureAwait(false);
                if (!_schemaReady || !_leftoversAbandoned || _reachable != true)
                {
                    continue;
                }

                // What a missed notification would have said.
                Holds.Resync();
                Sessions.Notified();
                try
                {
                    var abandoned = await Holds.AbandonAsync(_options.ReplicaTimeout, ownLeftovers: false, stop).ConfigureAwait(false);
                    _metrics.Abandoned(abandoned);
                    var now = _time.GetUtcNow().UtcTicks;
                    if (now - _lastPruneTicks > PruneEvery.Ticks)
                    {
                        _lastPruneTicks = now;
                        await Holds.PruneAsync(_options.Retention, stop).ConfigureAwait(false);
                        await Sessions.PruneAsync(stop).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (SharedSchema.IsUnavailable(ex) || ex is IOException or AuditWriteException)
                {
                    LogSweepFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task ListenAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(stop).ConfigureAwait(false);
                connection.Notification += (_, notification) =>
                {
                    if (notification.Channel == _holdsChannel)
                    {
                        Holds.Notified(notification.Payload);
                    }
                    else if (notification.Channel == _sessionsChannel && notification.Payload != Replica)
                    {
                        Sessions.Notified();
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {_holdsChannel}; LISTEN {_sessionsChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                }

                Listening = true;
                _metrics.Connected(true);
                Holds.Resync();
                Sessions.Notified();
                while (true)
                {
                    await connection.WaitAsync(stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (SharedSchema.IsUnavailable(ex))
            {
                Listening = false;
                _metrics.Connected(false);
                Reachable(false, ex);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        Listening = false;
    }

    private void Reachable(bool reachable, Exception? exception = null)
    {
        if (reachable == _reachable)
        {
            return;
        }

        _reachable = reachable;
        if (reachable)
        {
            LogReachable(_logger, Replica);
        }
        else
        {
            LogUnreachable(_logger, exception);
        }
    }

    [LoggerMessage(5221, LogLevel.Warning, "The shared PostgreSQL cannot be reached: held calls are denied, votes refused, and lineage and evidence are decided from this replica's copy until it answers")]
    private static partial void LogUnreachable(ILogger logger, Exception? exception);

    [LoggerMessage(5222, LogLevel.Information, "Replica {Replica} shares state through PostgreSQL")]
    private static partial void LogReachable(ILogger logger, string replica);

    [LoggerMessage(5223, LogLevel.Warning, "Recording the holds of stopped replicas as abandoned failed; the next heartbeat tries again")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
