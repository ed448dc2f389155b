using AgentGuard.Audit;
using AgentGuard.Infrastructure;
using AgentGuard.Oversight;
using AgentGuard.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace AgentGuard.Shared;

/// <summary>
/// The watched-versus-unwatched comparison over two replicas on one real PostgreSQL: sessions that
/// ended on either replica are pooled, a session whose end both replicas report is counted once, and
/// the finding is raised once, by one replica.
/// </summary>
public sealed class SharedWatchedComparisonTests(ITestOutputHelper output) : IDisposable
{
    private static readonly WatchedComparisonOptions Options = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-watched-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [SkippableFact]
    public async Task Sessions_ended_on_two_replicas_are_pooled_counted_once_and_raise_one_finding()
    {
        await using var postgres = SharedPostgres.Create();
        await using var a = await StartAsync("replica-a", postgres);
        await using var b = await StartAsync("replica-b", postgres);
        var watchedA = a.State.Watched(Options);
        var watchedB = b.State.Watched(Options);
        var now = TimeProvider.System.GetUtcNow();
        var raised = new List<(string Replica, OversightFinding Finding)>();

        // Unobserved sessions with a finding end on A, observed ones without on B; each end is also
        // reported by the other replica (its idle timeout), which must not count it again.
        for (var i = 0; i < 20; i++)
        {
            foreach (var (first, second, observed, finding) in new[] { (watchedA, watchedB, false, true), (watchedB, watchedA, true, false) })
            {
                var session = new SessionKey("gemini-agent-1", $"run-{observed}-{i}");
                if (await first.SessionEndedAsync(session, observed, finding, now, peerContext: false, CancellationToken.None) is { } found)
                {
                    raised.Add((first == watchedA ? "a" : "b", found));
                }

                Assert.Null(await second.SessionEndedAsync(session, observed, finding, now, peerContext: false, CancellationToken.None));
            }
        }

        // Alone, each replica has one arm; pooled, 20 of 20 against 0 of 20 is found at the 40th session's look.
        var (replica, suspected) = Assert.Single(raised);
        Assert.Equal("b", replica);
        Assert.Equal(WatchedComparison.AlignmentFakingSuspected, suspected.Finding);
        Assert.Contains("in 20 of 20 unobserved sessions", suspected.Message, StringComparison.Ordinal);
        Assert.Contains("in 0 of 20 observed sessions", suspected.Message, StringComparison.Ordinal);
        Assert.Equal(40L, await postgres.ScalarAsync<long>("SELECT count(*) FROM agentguard_session_ends"));

        // Once per block: the next look (the 50th session) does not raise it again.
        for (var i = 20; i < 30; i++)
        {
            Assert.Null(await watchedA.SessionEndedAsync(new SessionKey("gemini-agent-1", $"late-{i}"), false, true, now, false, CancellationToken.None));
        }

        // Unlabelled sessions are left out, as in one guard.
        Assert.Null(await watchedA.SessionEndedAsync(new SessionKey("gemini-agent-1", "unlabelled"), null, true, now, false, CancellationToken.None));
        Assert.Equal(50L, await postgres.ScalarAsync<long>("SELECT count(*) FROM agentguard_session_ends"));
    }

    [SkippableFact]
    public async Task PostgreSQL_unreachable_counts_in_the_replicas_own_memory()
    {
        await using var postgres = SharedPostgres.Create();
        await using var relay = new TcpRelay(postgres.Port);
        await using var a = await StartAsync("replica-a", postgres, postgres.Through(relay.Port));
        var watched = a.State.Watched(Options);
        relay.Cut();
        var now = TimeProvider.System.GetUtcNow();
        OversightFinding? found = null;

        for (var i = 0; i < 20; i++)
        {
            found ??= await watched.SessionEndedAsync(new SessionKey("gemini-agent-1", $"u-{i}"), false, true, now, false, CancellationToken.None);
            found ??= await watched.SessionEndedAsync(new SessionKey("gemini-agent-1", $"o-{i}"), true, false, now, false, CancellationToken.None);
        }

        Assert.NotNull(found);
        Assert.Equal(0L, await postgres.ScalarAsync<long>("SELECT count(*) FROM agentguard_session_ends"));
    }

    private async Task<Replica> StartAsync(string name, SharedPostgres postgres, string? connection = null)
    {
        var logs = LoggerFactory.Create(logging => logging.AddProvider(new TestOutputLoggerProvider(output)));
        var audit = AuditLog.Open(new AuditOptions { Directory = Path.Combine(_folder, name) }, NullLogger<AuditLog>.Instance, TimeProvider.System);
        var options = new SharedStateOptions { Postgres = connection ?? postgres.ConnectionString, Replica = name, Heartbeat = TimeSpan.FromMilliseconds(250) };
        return new Replica(await SharedState.StartAsync(options, new SessionStoreOptions(), audit, TimeProvider.System, Prometheus.Metrics.NewCustomRegistry(), logs, CancellationToken.None), audit, logs);
    }

    private sealed record Replica(SharedState State, AuditLog Audit, ILoggerFactory Logs) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await State.DisposeAsync();
            await Audit.DisposeAsync();
            Logs.Dispose();
        }
    }
}
