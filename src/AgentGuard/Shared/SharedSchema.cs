using Npgsql;

namespace AgentGuard.Shared;

/// <summary>The shared tables, created when missing (by one replica at a time: the DDL runs under an advisory lock).</summary>
internal static class SharedSchema
{
    /// <summary>The channel a hold's id is sent on when it is held, voted on or decided; one per schema, as notifications are database-wide.</summary>
    public static string HoldsChannel(string? schema) => Channel("agentguard_holds", schema);

    /// <summary>The channel that tells replicas new session facts (lineage, evidence, calls) were written; one per schema.</summary>
    public static string SessionsChannel(string? schema) => Channel("agentguard_sessions", schema);

    // A channel is an identifier (at most 63 bytes): a schema's name goes in as a short hash.
    private static string Channel(string name, string? schema)
        => schema is null ? name : name + "_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(schema)))[..12];

    private const string Tables = """
        CREATE TABLE IF NOT EXISTS agentguard_replicas (
            id text PRIMARY KEY,
            started timestamptz NOT NULL DEFAULT now(),
            seen timestamptz NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS agentguard_holds (
            id text PRIMARY KEY,
            call_hash text NOT NULL,
            replica text NOT NULL,
            reviewers_required int NOT NULL,
            held_at timestamptz NOT NULL,
            deadline timestamptz NOT NULL,
            call text NOT NULL,
            reviewers text[] NOT NULL DEFAULT '{}',
            outcome text,
            reason text,
            decided_at timestamptz);
        CREATE INDEX IF NOT EXISTS agentguard_holds_pending ON agentguard_holds (replica) WHERE outcome IS NULL;
        CREATE TABLE IF NOT EXISTS agentguard_hold_votes (
            hold_id text NOT NULL,
            reviewer text NOT NULL,
            approve boolean NOT NULL,
            reason text,
            time timestamptz NOT NULL,
            replica text NOT NULL);
        CREATE TABLE IF NOT EXISTS agentguard_session_facts (
            seq bigserial PRIMARY KEY,
            replica text NOT NULL,
            agent text NOT NULL,
            session text NOT NULL,
            kind text NOT NULL,
            time timestamptz NOT NULL,
            written timestamptz NOT NULL DEFAULT clock_timestamp(),
            body text NOT NULL);
        CREATE INDEX IF NOT EXISTS agentguard_session_facts_written ON agentguard_session_facts (written);
        CREATE TABLE IF NOT EXISTS agentguard_session_ends (
            seq bigserial PRIMARY KEY,
            agent text NOT NULL,
            session text NOT NULL,
            observed boolean NOT NULL,
            had_finding boolean NOT NULL,
            ended timestamptz NOT NULL,
            replica text NOT NULL,
            UNIQUE (agent, session));
        CREATE INDEX IF NOT EXISTS agentguard_session_ends_agent ON agentguard_session_ends (agent, seq);
        CREATE TABLE IF NOT EXISTS agentguard_obligations (
            reference text NOT NULL,
            obligation text NOT NULL,
            value text NOT NULL,
            replica text NOT NULL,
            body text NOT NULL,
            closed boolean NOT NULL DEFAULT false,
            PRIMARY KEY (reference, obligation, value));
        CREATE TABLE IF NOT EXISTS agentguard_watched_alarms (
            agent text NOT NULL,
            block bigint NOT NULL,
            replica text NOT NULL,
            PRIMARY KEY (agent, block));
        """;

    public static async Task EnsureAsync(NpgsqlDataSource dataSource, string? schema, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var sql = "SELECT pg_advisory_xact_lock(hashtext('agentguard_schema'));"
            + (schema is null ? string.Empty : $"CREATE SCHEMA IF NOT EXISTS \"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\";")
            + Tables;
        await using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether <paramref name="exception"/> means PostgreSQL could not be reached or failed (as opposed to a bug).</summary>
    public static bool IsUnavailable(Exception exception)
        => exception is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or IOException
            || exception is InvalidOperationException { Source: "Npgsql" };
}
