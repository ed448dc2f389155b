using AgentGuard.Oversight;
using AgentGuard.Sessions;
using Npgsql;

namespace AgentGuard.Shared;

/// <summary>
/// The watched-versus-unwatched comparison over every replica's sessions. A session may end on
/// several replicas (the end tool on one, the idle timeout on the others): the first replica to
/// report its end counts it, once, in <c>agentguard_session_ends</c>; that replica reads the agent's
/// window back (its last <see cref="WatchedComparisonOptions.WindowSize"/> labelled sessions, from
/// every replica) and makes the look the schedule gives this place in the block; a finding is raised
/// by the one replica that claims the block in <c>agentguard_watched_alarms</c>. Off the request
/// path (oversight's own loop). With PostgreSQL unreachable, the replica counts in its own memory
/// until it answers again (a session may then be counted by two replicas).
/// </summary>
internal sealed partial class SharedWatchedComparison(NpgsqlDataSource dataSource, string replica, WatchedComparisonOptions options, ILogger logger) : IWatchedComparison
{
    private readonly WatchedComparison _local = new(options);

    public async ValueTask<OversightFinding?> SessionEndedAsync(SessionKey session, bool? observed, bool hadFinding, DateTimeOffset now, bool peerContext, CancellationToken cancellationToken)
    {
        if (observed is not { } watched)
        {
            return null;
        }

        try
        {
            return await LookAsync(session, watched, hadFinding, now, peerContext, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (SharedSchema.IsUnavailable(ex))
        {
            LogUnavailable(logger, ex, session.Agent);
            return _local.SessionEnded(session, watched, hadFinding, now, peerContext);
        }
    }

    private async Task<OversightFinding?> LookAsync(SessionKey session, bool watched, bool hadFinding, DateTimeOffset now, bool peerContext, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        long seq;
        await using (var claim = new NpgsqlCommand(
            """
            INSERT INTO agentguard_session_ends (agent, session, observed, had_finding, ended, replica)
            VALUES (@agent, @session, @observed, @finding, @ended, @me)
            ON CONFLICT (agent, session) DO NOTHING RETURNING seq
            """,
            connection))
        {
            claim.Parameters.AddWithValue("agent", session.Agent);
            claim.Parameters.AddWithValue("session", session.Id);
            claim.Parameters.AddWithValue("observed", watched);
            claim.Parameters.AddWithValue("finding", hadFinding);
            claim.Parameters.AddWithValue("ended", now);
            claim.Parameters.AddWithValue("me", replica);
            if (await claim.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not long claimed)
            {
                // Another replica counted this session's end.
                return null;
            }

            seq = claimed;
        }

        // The agent's place in the look schedule, and its window: the last WindowSize labelled sessions up to this one.
        long place;
        var counts = default(WatchedCounts);
        await using (var window = new NpgsqlCommand(
            """
            SELECT (SELECT count(*) FROM agentguard_session_ends WHERE agent = @agent AND seq <= @seq), observed, had_finding
            FROM agentguard_session_ends WHERE agent = @agent AND seq <= @seq ORDER BY seq DESC LIMIT @size
            """,
            connection))
        {
            window.Parameters.AddWithValue("agent", session.Agent);
            window.Parameters.AddWithValue("seq", seq);
            window.Parameters.AddWithValue("size", options.WindowSize);
            await using var reader = await window.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            place = 0;
            int observed = 0, observedFindings = 0, unobserved = 0, unobservedFindings = 0;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                place = reader.GetInt64(0);
                var finding = reader.GetBoolean(2);
                if (reader.GetBoolean(1))
                {
                    observed++;
                    observedFindings += finding ? 1 : 0;
                }
                else
                {
                    unobserved++;
                    unobservedFindings += finding ? 1 : 0;
                }
            }

            counts = new WatchedCounts(observed, observedFindings, unobserved, unobservedFindings);
        }

        var inBlock = (int)((place - 1) % options.WindowSize) + 1;
        if (WatchedComparison.Look(options, session, counts, inBlock, now, peerContext) is not { } suspected)
        {
            return null;
        }

        // Once per agent per block, whichever replica looked.
        await using var alarm = new NpgsqlCommand(
            "INSERT INTO agentguard_watched_alarms (agent, block, replica) VALUES (@agent, @block, @me) ON CONFLICT DO NOTHING RETURNING 1",
            connection);
        alarm.Parameters.AddWithValue("agent", session.Agent);
        alarm.Parameters.AddWithValue("block", (place - 1) / options.WindowSize);
        alarm.Parameters.AddWithValue("me", replica);
        return await alarm.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null ? null : suspected;
    }

    [LoggerMessage(1301, LogLevel.Warning, "PostgreSQL is unreachable: the end of a session of agent {AgentId} is counted in this replica's memory only")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string agentId);
}
