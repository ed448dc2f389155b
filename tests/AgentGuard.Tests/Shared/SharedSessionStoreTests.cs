using System.Text.Json;
using AgentGuard.Infrastructure;
using AgentGuard.Sessions;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit.Abstractions;

namespace AgentGuard.Shared;

/// <summary>
/// The shared session store of two replicas on a real PostgreSQL, below the proxy: lineage recorded
/// on one is in the other's copy, also when writes commit out of order.
/// </summary>
public sealed class SharedSessionStoreTests(ITestOutputHelper output)
{
    private static readonly SessionKey Run = new("gemini-agent-1", "run-1");

    [SkippableFact]
    public async Task Lineage_recorded_on_one_replica_is_in_the_others_copy()
    {
        await using var postgres = SharedPostgres.Create();
        await using var a = await StartAsync(postgres, "replica-a");
        await using var b = await StartAsync(postgres, "replica-b");

        var session = a.Sessions.GetOrStart(Run, TimeProvider.System.GetUtcNow());
        Assert.True(session.Lineage.TryAdd(Entry("q3_notes.bin")));

        await Poll.UntilAsync(() => b.Sessions.Lineage(Run)?.Find("host://10.0.12.45/q3_notes.bin") is not null, "replica B to learn the copy");
        Assert.Equal(["model-weights"], b.Sessions.Lineage(Run)!.Find("host://10.0.12.45/q3_notes.bin")!.Assets);

        // A session B starts afterwards decides with it.
        Assert.Same(b.Sessions.Lineage(Run), b.Sessions.GetOrStart(Run, TimeProvider.System.GetUtcNow()).Lineage);
        Assert.Null(b.Sessions.Lineage(new SessionKey("gemini-agent-1", "run-2")));
    }

    [SkippableFact]
    public async Task A_write_that_commits_after_a_later_one_is_still_applied()
    {
        await using var postgres = SharedPostgres.Create();
        await using var a = await StartAsync(postgres, "replica-a");
        await using var b = await StartAsync(postgres, "replica-b");

        // A third writer takes its sequence number first and commits last.
        await using var slow = new NpgsqlConnection(postgres.ConnectionString);
        await slow.OpenAsync();
        await using var transaction = await slow.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO agentguard_session_facts (replica, agent, session, kind, time, body) VALUES ('replica-c', @agent, @session, 'lineage', now(), @body)", slow, transaction))
        {
            insert.Parameters.AddWithValue("agent", Run.Agent);
            insert.Parameters.AddWithValue("session", Run.Id);
            insert.Parameters.AddWithValue("body", JsonSerializer.Serialize(Entry("late.bin"), new JsonSerializerOptions(JsonSerializerDefaults.Web)));
            await insert.ExecuteNonQueryAsync();
        }

        Assert.True(a.Sessions.GetOrStart(Run, TimeProvider.System.GetUtcNow()).Lineage.TryAdd(Entry("early.bin")));
        await Poll.UntilAsync(() => b.Sessions.Lineage(Run)?.Find("host://10.0.12.45/early.bin") is not null, "replica B to learn the later write");

        await using (var notify = new NpgsqlCommand($"SELECT pg_notify('{SharedSchema.SessionsChannel}', 'replica-c')", slow, transaction))
        {
            await notify.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        await Poll.UntilAsync(() => b.Sessions.Lineage(Run)?.Find("host://10.0.12.45/late.bin") is not null, "replica B to learn the write that committed last");
    }

    private static LineageEntry Entry(string name)
        => new($"host://10.0.12.45/{name}", "host://10.0.12.45/gemini_agent_2_model_weight.safetensors", ["model-weights"], LineageEntry.Copy, "ref-" + name, TimeProvider.System.GetUtcNow());

    private async Task<Started> StartAsync(SharedPostgres postgres, string replica)
    {
        var logs = LoggerFactory.Create(logging => logging.AddProvider(new TestOutputLoggerProvider(output)));
        var options = new SharedStateOptions { Postgres = postgres.ConnectionString, Replica = replica, Heartbeat = TimeSpan.FromMilliseconds(250), ReplicaTimeout = TimeSpan.FromSeconds(3) };
        var state = await SharedState.StartAsync(options, new SessionStoreOptions(), null, TimeProvider.System, Prometheus.Metrics.NewCustomRegistry(), logs, CancellationToken.None);
        return new Started(state, logs);
    }

    private sealed record Started(SharedState State, ILoggerFactory Logs) : IAsyncDisposable
    {
        public SharedSessionStore Sessions => State.Sessions;

        public async ValueTask DisposeAsync()
        {
            await State.DisposeAsync();
            Logs.Dispose();
        }
    }
}
