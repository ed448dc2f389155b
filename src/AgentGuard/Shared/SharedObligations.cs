using System.Text.Json;
using AgentGuard.Oversight;
using Npgsql;

namespace AgentGuard.Shared;

/// <summary>
/// Open obligations in <c>agentguard_obligations</c>: each row names the replica that tracks it; a
/// live replica adopts, in one statement (so by exactly one replica), the open rows of replicas whose
/// heartbeat stopped. PostgreSQL unreachable: nothing is recorded or adopted meanwhile, and each
/// replica still has its own audit log's record of what it opened.
/// </summary>
internal sealed partial class SharedObligations(NpgsqlDataSource dataSource, string replica, TimeSpan replicaTimeout, ILogger logger) : IObligationLedger
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async ValueTask OpenedAsync(OpenObligation obligation, CancellationToken cancellationToken)
        => await RunAsync(
            "INSERT INTO agentguard_obligations (reference, obligation, value, replica, body) VALUES (@reference, @obligation, @value, @me, @body) ON CONFLICT DO NOTHING",
            obligation,
            cancellationToken).ConfigureAwait(false);

    public async ValueTask ClosedAsync(OpenObligation obligation, CancellationToken cancellationToken)
        => await RunAsync(
            "UPDATE agentguard_obligations SET closed = true WHERE reference = @reference AND obligation = @obligation AND value = @value",
            obligation,
            cancellationToken).ConfigureAwait(false);

    public IReadOnlyList<OpenObligation>? Mine()
    {
        try
        {
            using var command = dataSource.CreateCommand("SELECT body FROM agentguard_obligations WHERE replica = @me AND NOT closed");
            command.Parameters.AddWithValue("me", replica);
            using var reader = command.ExecuteReader();
            var mine = new List<OpenObligation>();
            while (reader.Read())
            {
                mine.Add(JsonSerializer.Deserialize<OpenObligation>(reader.GetString(0), Json)!);
            }

            return mine;
        }
        catch (Exception ex) when (SharedSchema.IsUnavailable(ex))
        {
            LogUnavailable(logger, ex);
            return null;
        }
    }

    public async Task<IReadOnlyList<OpenObligation>> AdoptAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand("""
                UPDATE agentguard_obligations o SET replica = @me
                WHERE NOT o.closed AND o.replica <> @me
                  AND NOT EXISTS (SELECT 1 FROM agentguard_replicas r WHERE r.id = o.replica AND r.seen > now() - @timeout)
                RETURNING body
                """);
            command.Parameters.AddWithValue("me", replica);
            command.Parameters.AddWithValue("timeout", replicaTimeout);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var adopted = new List<OpenObligation>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                adopted.Add(JsonSerializer.Deserialize<OpenObligation>(reader.GetString(0), Json)!);
            }

            return adopted;
        }
        catch (Exception ex) when (SharedSchema.IsUnavailable(ex))
        {
            LogUnavailable(logger, ex);
            return [];
        }
    }

    private async Task RunAsync(string sql, OpenObligation obligation, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand(sql);
            command.Parameters.AddWithValue("reference", obligation.Reference);
            command.Parameters.AddWithValue("obligation", obligation.Obligation);
            command.Parameters.AddWithValue("value", obligation.Value);
            command.Parameters.AddWithValue("me", replica);
            command.Parameters.AddWithValue("body", JsonSerializer.Serialize(obligation, Json));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (SharedSchema.IsUnavailable(ex))
        {
            LogUnavailable(logger, ex);
        }
    }

    [LoggerMessage(1302, LogLevel.Warning, "PostgreSQL is unreachable: open obligations are not shared meanwhile (this replica's audit log still records them)")]
    private static partial void LogUnavailable(ILogger logger, Exception exception);
}
