using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using AgentGuard.Audit;
using AgentGuard.Holds;
using Npgsql;

namespace AgentGuard.Shared;

/// <summary>
/// The hold queue of several replicas, in PostgreSQL: a hold is a row, a vote a transaction on it,
/// so a reviewer's vote on any replica releases the call held on another (which hears of it by
/// LISTEN/NOTIFY, and at the latest at its next heartbeat). Votes lock the row: two distinct
/// reviewers are counted across replicas, a decided hold is never decided again, and no vote is
/// counted at or after the deadline. <see cref="Pending"/> answers from a local copy fed the same way.
/// With PostgreSQL unreachable, holds are <see cref="HoldOutcome.Unavailable"/> (denied) and votes
/// <see cref="VoteResult.Unavailable"/>.
/// </summary>
internal sealed partial class PostgresHoldQueue : IHoldQueue
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _replica;
    private readonly string _channel;
    private readonly TimeProvider _time;
    private readonly AuditLog? _audit;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, PendingHold> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<HoldResolution>> _waiters = new(StringComparer.Ordinal);
    private readonly Channel<string> _refresh = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public PostgresHoldQueue(NpgsqlDataSource dataSource, string replica, string channel, TimeProvider timeProvider, AuditLog? audit, ILogger logger)
    {
        _channel = channel;
        _dataSource = dataSource;
        _replica = replica;
        _time = timeProvider;
        _audit = audit;
        _logger = logger;
    }

    /// <summary>The replica this queue holds calls for.</summary>
    public string Replica => _replica;

    public async Task<HoldResolution> HoldAsync(HeldCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var waiter = new TaskCompletionSource<HoldResolution>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_waiters.TryAdd(call.Id, waiter))
        {
            throw new InvalidOperationException($"call {call.Id} is already held");
        }

        try
        {
            try
            {
                await InsertAsync(call).ConfigureAwait(false);
            }
            catch (Exception ex) when (SharedSchema.IsUnavailable(ex))
            {
                LogUnavailable(_logger, ex, call.Id);
                return new HoldResolution(HoldOutcome.Unavailable, [], "the shared hold queue (PostgreSQL) cannot be reached", _time.GetUtcNow());
            }

            _pending[call.Id] = new PendingHold(call, []);
            var wait = call.Deadline - _time.GetUtcNow();
            using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var deadline = Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, _time, stopWaiting.Token);
            var first = await Task.WhenAny(waiter.Task, deadline).ConfigureAwait(false);
            if (first == waiter.Task)
            {
                await stopWaiting.CancelAsync().ConfigureAwait(false);
                return await waiter.Task.ConfigureAwait(false);
            }

            return cancellationToken.IsCancellationRequested
                ? await FinishAsync(call, HoldOutcome.Cancelled, "the agent cancelled the call").ConfigureAwait(false)
                : await FinishAsync(call, HoldOutcome.TimedOut, "no reviewer decided before the deadline").ConfigureAwait(false);
        }
        finally
        {
            _waiters.TryRemove(call.Id, out _);
            _pending.TryRemove(call.Id, out _);
        }
    }

    public IReadOnlyList<PendingHold> Pending() => [.. _pending.Values.OrderBy(p => p.Call.HeldAt)];

    public async ValueTask<VoteResult> VoteAsync(HoldVote vote, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vote);
        try
        {
            return await CountAsync(vote, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (SharedSchema.IsUnavailable(ex))
        {
            LogUnavailable(_logger, ex, vote.HoldId);
            return VoteResult.Unavailable;
        }
    }

    /// <summary>A notification named the hold <paramref name="id"/>: its row is read again, off the caller's thread.</summary>
    public void Notified(string id) => _refresh.Writer.TryWrite(id);

    /// <summary>Reads every pending hold again (after a reconnect, and at every heartbeat, for notifications that were missed).</summary>
    public void Resync() => _refresh.Writer.TryWrite(string.Empty);

    /// <summary>Applies notifications until <paramref name="stop"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var id in _refresh.Reader.ReadAllAsync(stop).ConfigureAwait(false))
            {
                try
                {
                    if (id.Length == 0)
                    {
                        await ResyncAsync(stop).ConfigureAwait(false);
                    }
                    else
                    {
                        await RefreshAsync(id, stop).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (SharedSchema.IsUnavailable(ex))
                {
                    // The next heartbeat resyncs.
                    LogRefreshFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Records as abandoned the pending holds of replicas silent for <paramref name="replicaTimeout"/> (or,
    /// with <paramref name="ownLeftovers"/>, this replica's own from an earlier life under the same name):
    /// one <c>hold</c> audit record with event <c>abandoned</c> each, in this replica's chain. The rows
    /// change in the same transaction, so one replica records each hold once.
    /// </summary>
    public async Task<int> AbandonAsync(TimeSpan replicaTimeout, bool ownLeftovers, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Own leftovers: holds of an earlier process under this name, not the calls this one waits on.
        var orphans = ownLeftovers
            ? "h.replica = @me AND NOT (h.id = ANY(@mine))"
            : "h.replica <> @me AND NOT EXISTS (SELECT 1 FROM agentguard_replicas r WHERE r.id = h.replica AND r.seen > now() - @timeout)";
        var sql = $"""
            WITH abandoned AS (
                UPDATE agentguard_holds h
                SET outcome = 'abandoned', decided_at = @now,
                    reason = 'the replica holding it (' || h.replica || ') stopped; a retry is a new hold'
                WHERE h.outcome IS NULL AND {orphans}
                RETURNING h.id, h.call, h.reviewers, h.reason)
            SELECT id, call, reviewers, reason, pg_notify('{_channel}', id) FROM abandoned
            """;
        var found = new List<(HeldCall Call, string[] Reviewers, string Reason)>();
        await using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            command.Parameters.AddWithValue("me", _replica);
            command.Parameters.AddWithValue("now", now.UtcDateTime);
            command.Parameters.AddWithValue("timeout", replicaTimeout);
            command.Parameters.AddWithValue("mine", _waiters.Keys.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                found.Add((ReadCall(reader.GetString(1)), reader.GetFieldValue<string[]>(2), reader.GetString(3)));
            }
        }

        // Recorded before the rows commit: if the audit log fails, another replica (or the next heartbeat) tries again.
        foreach (var (call, reviewers, reason) in found)
        {
            if (_audit is not null)
            {
                await _audit.AppendAsync(new HoldRecord(HoldRecord.EventOf(HoldOutcome.Abandoned), call, reviewers, reason, now), cancellationToken).ConfigureAwait(false);
            }

            LogAbandoned(_logger, call.Id, call.Replica);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return found.Count;
    }

    /// <summary>Forgets decided holds older than <paramref name="retention"/>, and replicas silent that long.</summary>
    public async Task PruneAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "DELETE FROM agentguard_hold_votes v USING agentguard_holds h WHERE v.hold_id = h.id AND h.outcome IS NOT NULL AND h.decided_at < now() - @retention;"
            + "DELETE FROM agentguard_holds WHERE outcome IS NOT NULL AND decided_at < now() - @retention;"
            // Replicas gone longer than the retention, with no hold left waiting.
            + "DELETE FROM agentguard_replicas r WHERE r.seen < now() - @retention AND NOT EXISTS (SELECT 1 FROM agentguard_holds h WHERE h.replica = r.id AND h.outcome IS NULL)");
        command.Parameters.AddWithValue("retention", retention);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task InsertAsync(HeldCall call)
    {
        await using var command = _dataSource.CreateCommand($"""
            INSERT INTO agentguard_holds (id, call_hash, replica, reviewers_required, held_at, deadline, call)
            VALUES (@id, @hash, @replica, @required, @held, @deadline, @call);
            SELECT pg_notify('{_channel}', @id);
            """);
        command.Parameters.AddWithValue("id", call.Id);
        command.Parameters.AddWithValue("hash", call.CallHash);
        command.Parameters.AddWithValue("replica", _replica);
        command.Parameters.AddWithValue("required", call.ReviewersRequired);
        command.Parameters.AddWithValue("held", call.HeldAt.UtcDateTime);
        command.Parameters.AddWithValue("deadline", call.Deadline.UtcDateTime);
        command.Parameters.AddWithValue("call", JsonSerializer.Serialize(call, Json));
        await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Ends a hold this replica waited on, unless a vote (or an abandonment) ended it first: then that is the outcome.</summary>
    private async Task<HoldResolution> FinishAsync(HeldCall call, HoldOutcome outcome, string reason)
    {
        var now = _time.GetUtcNow();
        try
        {
            await using var command = _dataSource.CreateCommand($"""
                WITH ended AS (
                    UPDATE agentguard_holds SET outcome = @outcome, reason = @reason, decided_at = @now
                    WHERE id = @id AND outcome IS NULL
                    RETURNING id, reviewers)
                SELECT reviewers, pg_notify('{_channel}', id) FROM ended
                """);
            command.Parameters.AddWithValue("id", call.Id);
            command.Parameters.AddWithValue("outcome", HoldRecord.EventOf(outcome));
            command.Parameters.AddWithValue("reason", reason);
            command.Parameters.AddWithValue("now", now.UtcDateTime);
            await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    return new HoldResolution(outcome, reader.GetFieldValue<string[]>(0), reason, now);
                }
            }

            return await ReadResolutionAsync(call.Id, CancellationToken.None).ConfigureAwait(false)
                ?? new HoldResolution(outcome, [], reason, now);
        }
        catch (Exception ex) when (SharedSchema.IsUnavailable(ex))
        {
            // Denied either way (the row is closed by its deadline for everyone else: votes after it are
            // refused); unavailable, since whether a reviewer decided first cannot be known. A cancel stays a cancel.
            LogUnavailable(_logger, ex, call.Id);
            var approvedBy = _pending.TryGetValue(call.Id, out var pending) ? pending.ApprovedBy : [];
            return outcome == HoldOutcome.Cancelled
                ? new HoldResolution(outcome, approvedBy, reason, now)
                : new HoldResolution(HoldOutcome.Unavailable, approvedBy, "the shared hold queue (PostgreSQL) could not be reached when the hold ended", now);
        }
    }

    private async Task<VoteResult> CountAsync(HoldVote vote, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        string hash;
        int required;
        DateTime deadline;
        string[] reviewers;
        await using (var select = new NpgsqlCommand(
            "SELECT call_hash, reviewers_required, deadline, reviewers FROM agentguard_holds WHERE id = @id AND outcome IS NULL FOR UPDATE", connection, transaction))
        {
            select.Parameters.AddWithValue("id", vote.HoldId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return VoteResult.NotPending;
            }

            (hash, required, deadline, reviewers) = (reader.GetString(0), reader.GetInt32(1), reader.GetDateTime(2), reader.GetFieldValue<string[]>(3));
        }

        if (vote.Time.UtcDateTime >= deadline)
        {
            return VoteResult.NotPending;
        }

        if (!string.Equals(hash, vote.CallHash, StringComparison.OrdinalIgnoreCase))
        {
            return VoteResult.HashMismatch;
        }

        VoteResult result;
        string? outcome = null;
        if (!vote.Approve)
        {
            result = VoteResult.Denied;
            outcome = HoldRecord.EventOf(HoldOutcome.Denied);
        }
        else if (reviewers.Contains(vote.Reviewer, StringComparer.Ordinal))
        {
            return VoteResult.SameReviewer;
        }
        else if (reviewers.Length + 1 >= required)
        {
            result = VoteResult.Approved;
            outcome = HoldRecord.EventOf(HoldOutcome.Approved);
        }
        else
        {
            result = VoteResult.Counted;
        }

        await using (var update = new NpgsqlCommand($"""
            UPDATE agentguard_holds SET reviewers = array_append(reviewers, @reviewer), outcome = @outcome,
                reason = CASE WHEN @outcome IS NULL THEN reason ELSE @reason END,
                decided_at = CASE WHEN @outcome IS NULL THEN NULL ELSE @time END
            WHERE id = @id;
            INSERT INTO agentguard_hold_votes (hold_id, reviewer, approve, reason, time, replica) VALUES (@id, @reviewer, @approve, @reason, @time, @replica);
            SELECT pg_notify('{_channel}', @id);
            """, connection, transaction))
        {
            update.Parameters.AddWithValue("id", vote.HoldId);
            update.Parameters.AddWithValue("reviewer", vote.Reviewer);
            update.Parameters.Add(new NpgsqlParameter<string?>("outcome", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = outcome });
            update.Parameters.Add(new NpgsqlParameter<string?>("reason", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = vote.Reason });
            update.Parameters.AddWithValue("time", vote.Time.UtcDateTime);
            update.Parameters.AddWithValue("approve", vote.Approve);
            update.Parameters.AddWithValue("replica", _replica);
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async Task RefreshAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT call, reviewers, outcome, reason, decided_at FROM agentguard_holds WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            _pending.TryRemove(id, out _);
            return;
        }

        var reviewers = reader.GetFieldValue<string[]>(1);
        if (reader.IsDBNull(2))
        {
            if (!_pending.ContainsKey(id) || _pending.TryGetValue(id, out var known) && known.ApprovedBy.Count != reviewers.Length)
            {
                _pending[id] = new PendingHold(ReadCall(reader.GetString(0)), reviewers);
            }

            return;
        }

        _pending.TryRemove(id, out _);
        if (_waiters.TryGetValue(id, out var waiter))
        {
            waiter.TrySetResult(Resolution(reader.GetString(2), reviewers, reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetDateTime(4)));
        }
    }

    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = _dataSource.CreateCommand("SELECT id, call, reviewers FROM agentguard_holds WHERE outcome IS NULL"))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var id = reader.GetString(0);
                seen.Add(id);
                var reviewers = reader.GetFieldValue<string[]>(2);
                if (!_pending.TryGetValue(id, out var known) || known.ApprovedBy.Count != reviewers.Length)
                {
                    _pending[id] = new PendingHold(ReadCall(reader.GetString(1)), reviewers);
                }
            }
        }

        // Decided since: read each again, which resolves this replica's waiters among them.
        foreach (var id in _pending.Keys.Concat(_waiters.Keys).Where(id => !seen.Contains(id)).Distinct(StringComparer.Ordinal).ToList())
        {
            await RefreshAsync(id, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HoldResolution?> ReadResolutionAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT outcome, reviewers, reason, decided_at FROM agentguard_holds WHERE id = @id AND outcome IS NOT NULL");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? Resolution(reader.GetString(0), reader.GetFieldValue<string[]>(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetDateTime(3))
            : null;
    }

    private static HoldResolution Resolution(string outcome, string[] reviewers, string? reason, DateTime time)
    {
        var parsed = Enum.GetValues<HoldOutcome>().FirstOrDefault(o => HoldRecord.EventOf(o) == outcome, HoldOutcome.Unavailable);
        return new HoldResolution(parsed, reviewers, reason, new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)));
    }

    private static HeldCall ReadCall(string json) => JsonSerializer.Deserialize<HeldCall>(json, Json) ?? throw new InvalidDataException("a held call's row holds no call");

    [LoggerMessage(5201, LogLevel.Warning, "The shared hold queue (PostgreSQL) cannot be reached (held call {HoldId}): holds are denied and votes refused until it answers")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string holdId);

    [LoggerMessage(5202, LogLevel.Debug, "Reading held calls from PostgreSQL failed; the next heartbeat tries again")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(5203, LogLevel.Warning, "Held call {HoldId} of replica {Replica} is abandoned: its replica stopped")]
    private static partial void LogAbandoned(ILogger logger, string holdId, string replica);
}
