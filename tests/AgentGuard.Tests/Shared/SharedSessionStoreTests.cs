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

        await using (var notify = new NpgsqlCommand($"SELECT pg_notify('{SharedSchema.SessionsChannel(postgres.Schema)}', 'replica-c')", slow, transaction))
        {
            await notify.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        await Poll.UntilAsync(() => b.Sessions.Lineage(Run)?.Find("host://10.0.12.45/late.bin") is not null, "replica B to learn the write that committed last");
    }

    [SkippableFact]
    public async Task A_sessions_calls_on_one_replica_are_its_calls_on_the_other()
    {
        await using var postgres = SharedPostgres.Create();
        await using var a = await StartAsync(postgres, "replica-a");
        await using var b = await StartAsync(postgres, "replica-b");
        var now = TimeProvider.System.GetUtcNow();
        var onB = b.Sessions.GetOrStart(Run, now);

        // The evaluator's session submits through B; the mandated shutdown goes through A.
        Assert.True(a.Sessions.GetOrStart(Run, now).Add(new SessionCall(now, "execute_shutdown", """{"system_id":"gemini-agent-2"}""", Policy.DecisionKind.Allow, "ref-shutdown")));

        await Poll.UntilAsync(() => onB.Calls().Any(c => c.Reference == "ref-shutdown"), "B's live session to hold the call made through A");
        var call = Assert.Single(onB.Calls());
        Assert.Equal("execute_shutdown", call.Tool);
        Assert.Equal(Policy.DecisionKind.Allow, call.Decision);

        // A session of the same key started on B after the session ended there has it too; other sessions do not.
        Assert.True(b.Sessions.TryEnd(Run, out _));
        Assert.Single(b.Sessions.GetOrStart(Run, now).Calls());
        Assert.Empty(b.Sessions.GetOrStart(new SessionKey(Run.Agent, "run-2"), now).Calls());

        // Calls B learned are not written back: A holds its call once.
        await Task.Delay(TimeSpan.FromMilliseconds(600));
        Assert.Single(a.Sessions.GetOrStart(Run, now).Calls());
        Assert.Equal(1L, await postgres.ScalarAsync<long>("SELECT count(*) FROM agentguard_session_facts WHERE kind = 'call'"));
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
