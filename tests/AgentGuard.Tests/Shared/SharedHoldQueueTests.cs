using AgentGuard.Audit;
using AgentGuard.Holds;
using AgentGuard.Infrastructure;
using AgentGuard.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace AgentGuard.Shared;

/// <summary>
/// The hold queue of two replicas on one real PostgreSQL (the throwaway cluster test.sh starts), each
/// with its own audit chain: a vote on one replica releases the call held on the other, two
/// reviewers count across replicas, decided holds are never decided again, PostgreSQL unreachable
/// denies, and the holds of a replica that dies are recorded as abandoned by a live one.
/// </summary>
public sealed class SharedHoldQueueTests(ITestOutputHelper output) : IDisposable
{
    private const string Agent = "gemini-agent-1";
    private const string Session = "run-1";
    private const string Tool = "delete_server_file";
    private const string Arguments = """{"filename":"gemini_agent_2_model_weight.safetensors","ip":"10.0.12.45"}""";

    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-shared-holds-").FullName;
    private readonly List<IAsyncDisposable> _started = [];
    private int _calls;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [SkippableFact]
    public async Task An_approval_on_one_replica_releases_the_call_held_on_another()
    {
        await using var postgres = SharedPostgres.Create();
        await using var replicas = await StartAsync(postgres);
        var (a, b) = (replicas.A, replicas.B);
        var call = Call(a);

        var held = a.Holds.HoldAsync(call, CancellationToken.None);
        await Poll.UntilAsync(() => b.Holds.Pending().Any(p => p.Call.Id == call.Id), "replica B to see the call held on A");
        Assert.Equal(call, b.Holds.Pending().Single().Call);

        Assert.Equal(VoteResult.Approved, await b.Holds.VoteAsync(Vote(call, "alice"), CancellationToken.None));

        var resolution = await held.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HoldOutcome.Approved, resolution.Outcome);
        Assert.Equal(["alice"], resolution.Reviewers);
        await Poll.UntilAsync(() => a.Holds.Pending().Count == 0 && b.Holds.Pending().Count == 0, "the decided hold to leave both replicas' pending lists");
    }

    [SkippableFact]
    public async Task A_denial_on_one_replica_denies_the_call_held_on_another()
    {
        await using var postgres = SharedPostgres.Create();
        await using var replicas = await StartAsync(postgres);
        var call = Call(replicas.A);

        var held = replicas.A.Holds.HoldAsync(call, CancellationToken.None);
        await Poll.UntilAsync(() => replicas.B.Holds.Pending().Count == 1, "replica B to see the hold");
        Assert.Equal(VoteResult.Denied, await replicas.B.Holds.VoteAsync(Vote(call, "alice", approve: false), CancellationToken.None));

        var resolution = await held.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HoldOutcome.Denied, resolution.Outcome);
        Assert.Equal(["alice"], resolution.Reviewers);
    }

    [SkippableFact]
    public async Task Two_reviewers_are_two_people_whichever_replicas_they_use()
    {
        await using var postgres = SharedPostgres.Create();
        await using var replicas = await StartAsync(postgres);
        var (a, b) = (replicas.A, replicas.B);
        var call = Call(a, reviewers: 2);

        var held = a.Holds.HoldAsync(call, CancellationToken.None);
        await Poll.UntilAsync(() => b.Holds.Pending().Count == 1, "replica B to see the hold");

        Assert.Equal(VoteResult.Counted, await a.Holds.VoteAsync(Vote(call, "alice"), CancellationToken.None));
        await Poll.UntilAsync(() => b.Holds.Pending().Single().ApprovedBy.SequenceEqual(["alice"]), "replica B to see alice's approval");

        // The same reviewer again, through the other replica, is still one person.
        Assert.Equal(VoteResult.SameReviewer, await b.Holds.VoteAsync(Vote(call, "alice"), CancellationToken.None));
        Assert.False(held.IsCompleted);

        Assert.Equal(VoteResult.Approved, await b.Holds.VoteAsync(Vote(call, "bob"), CancellationToken.None));
        var resolution = await held.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HoldOutcome.Approved, resolution.Outcome);
        Assert.Equal(["alice", "bob"], resolution.Reviewers);
    }

    [SkippableFact]
    public async Task An_approval_releases_one_call_once_and_never_an_identical_later_one()
    {
        await using var postgres = SharedPostgres.Create();
        await using var replicas = await StartAsync(postgres);
        var (a, b) = (replicas.A, replicas.B);
        var first = Call(a);

        var held = a.Holds.HoldAsync(first, CancellationToken.None);
        await Poll.UntilAsync(() => b.Holds.Pending().Count == 1, "replica B to see the hold");

        // Two reviewers approve at once on the two replicas: the call is released once.
        var votes = await Task.WhenAll(
            a.Holds.VoteAsync(Vote(first, "alice"), CancellationToken.None).AsTask(),
            b.Holds.VoteAsync(Vote(first, "bob"), CancellationToken.None).AsTask());
        Assert.Equal([VoteResult.Approved, VoteResult.NotPending], votes.Order());
        Assert.Equal(HoldOutcome.Approved, (await held.WaitAsync(TimeSpan.FromSeconds(20))).Outcome);

        // The agent makes the same call again: a new hold, which the earlier approval does not release.
        var second = Call(a);
        Assert.Equal(first.CallHash, second.CallHash);
        var heldAgain = a.Holds.HoldAsync(second, CancellationToken.None);
        await Poll.UntilAsync(() => b.Holds.Pending().Any(p => p.Call.Id == second.Id), "replica B to see the second hold");
        Assert.Equal(VoteResult.NotPending, await b.Holds.VoteAsync(Vote(first, "alice"), CancellationToken.None));
        Assert.Equal(VoteResult.HashMismatch, await b.Holds.VoteAsync(Vote(second, "alice") with { CallHash = HeldCallHash.Compute(Agent, Session, Tool, "{}") }, CancellationToken.None));
        Assert.False(heldAgain.IsCompleted);
        Assert.Contains(a.Holds.Pending(), p => p.Call.Id == second.Id);

        Assert.Equal(VoteResult.Denied, await b.Holds.VoteAsync(Vote(second, "alice", approve: false), CancellationToken.None));
        Assert.Equal(HoldOutcome.Denied, (await heldAgain.WaitAsync(TimeSpan.FromSeconds(20))).Outcome);
    }

    [SkippableFact]
    public async Task A_hold_past_its_deadline_is_denied_and_a_late_approval_is_refused()
    {
        await using var postgres = SharedPostgres.Create();
        await using var replicas = await StartAsync(postgres);
        var call = Call(replicas.A, wait: TimeSpan.FromSeconds(1));

        var resolution = await replicas.A.Holds.HoldAsync(call, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(HoldOutcome.TimedOut, resolution.Outcome);
        Assert.Equal(VoteResult.NotPending, await replicas.B.Holds.VoteAsync(Vote(call, "alice"), CancellationToken.None));
        Assert.Equal("timed-out", await postgres.ScalarAsync<string>("SELECT outcome FROM agentguard_holds WHERE id = @id", ("id", call.Id)));
    }

    [SkippableFact]
    public async Task With_PostgreSQL_unreachable_holds_are_denied_and_votes_refused()
    {
        await using var postgres = SharedPostgres.Create();
        await using var relay = new TcpRelay(postgres.Port);
        await using var replicas = await StartAsync(postgres, connectionA: postgres.Through(relay.Port));
        var (a, b) = (replicas.A, replicas.B);

        // Through the relay the queue works...
        var call = Call(a);
        var held = a.Holds.HoldAsync(call, CancellationToken.None);
        await Poll.UntilAsync(() => b.Holds.Pending().Count == 1, "replica B to see the hold");
        Assert.Equal(VoteResult.Approved, await b.Holds.VoteAsync(Vote(call, "alice"), CancellationToken.None));
        Assert.Equal(HoldOutcome.Approved, (await held.WaitAsync(TimeSpan.FromSeconds(20))).Outcome);

        // ...until PostgreSQL goes away from replica A.
        relay.Cut();
        var unreachable = await a.Holds.HoldAsync(Call(a), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HoldOutcome.Unavailable, unreachable.Outcome);
        Assert.Equal(VoteResult.Unavailable, await a.Holds.VoteAsync(Vote(Call(a), "alice"), CancellationToken.None));
        Assert.Empty(a.Holds.Pending());
    }

    [SkippableFact]
    public async Task A_replica_that_dies_loses_no_decision_and_its_pending_holds_are_recorded_abandoned()
    {
        await using var postgres = SharedPostgres.Create();
        await using var replicas = await StartAsync(postgres);
        var (a, b) = (replicas.A, replicas.B);
        var approved = Call(a);
        var pending = Call(a, reviewers: 2);

        var approvedHeld = a.Holds.HoldAsync(approved, CancellationToken.None);
        using var gone = new CancellationTokenSource();
        var pendingHeld = a.Holds.HoldAsync(pending, gone.Token);
        await Poll.UntilAsync(() => b.Holds.Pending().Count == 2, "replica B to see both holds");
        Assert.Equal(VoteResult.Approved, await b.Holds.VoteAsync(Vote(approved, "alice"), CancellationToken.None));
        Assert.Equal(HoldOutcome.Approved, (await approvedHeld.WaitAsync(TimeSpan.FromSeconds(20))).Outcome);
        Assert.Equal(VoteResult.Counted, await b.Holds.VoteAsync(Vote(pending, "alice"), CancellationToken.None));

        // Replica A stops without a word: no heartbeat, no cleanup.
        await a.AbandonAsync();

        var audit = Path.Combine(_folder, "replica-b");
        await Poll.UntilAsync(() => AuditReader.Query(audit, new AuditQuery { Type = "hold" }).Any(e => e.Reference == pending.Id), "replica B to record A's pending hold as abandoned");
        var record = Assert.Single(AuditReader.Query(audit, new AuditQuery { Type = "hold" }), e => e.Reference == pending.Id);
        Assert.Contains("\"event\":\"abandoned\"", record.Json, StringComparison.Ordinal);
        Assert.Contains("\"reviewers\":[\"alice\"]", record.Json, StringComparison.Ordinal);
        Assert.True(AuditVerifier.Verify(audit, null).IsValid);

        // The approval stands; the pending hold is over for everyone, and its call was never released.
        Assert.Equal("approved", await postgres.ScalarAsync<string>("SELECT outcome FROM agentguard_holds WHERE id = @id", ("id", approved.Id)));
        Assert.Equal("abandoned", await postgres.ScalarAsync<string>("SELECT outcome FROM agentguard_holds WHERE id = @id", ("id", pending.Id)));
        await Poll.UntilAsync(() => b.Holds.Pending().Count == 0, "the abandoned hold to leave B's pending list");
        Assert.Equal(VoteResult.NotPending, await b.Holds.VoteAsync(Vote(pending, "bob"), CancellationToken.None));

        // The agent retries through B: a new hold.
        var retry = Call(b);
        var retryHeld = b.Holds.HoldAsync(retry, CancellationToken.None);
        await Poll.UntilAsync(() => b.Holds.Pending().Any(p => p.Call.Id == retry.Id), "the retry to be held");
        Assert.Equal(VoteResult.Approved, await b.Holds.VoteAsync(Vote(retry, "bob"), CancellationToken.None));
        Assert.Equal(HoldOutcome.Approved, (await retryHeld.WaitAsync(TimeSpan.FromSeconds(20))).Outcome);

        await gone.CancelAsync();
        Assert.Equal(HoldOutcome.Abandoned, (await pendingHeld.WaitAsync(TimeSpan.FromSeconds(20))).Outcome);
    }

    private HeldCall Call(Replica replica, int reviewers = 1, TimeSpan? wait = null)
    {
        var now = TimeProvider.System.GetUtcNow();
        return new HeldCall(
            $"ref-{Interlocked.Increment(ref _calls)}-{Guid.NewGuid():N}"[..24],
            HeldCallHash.Compute(Agent, Session, Tool, Arguments),
            Agent,
            "evaluator",
            Session,
            Tool,
            Arguments,
            "weights-delete-held",
            "weight-tampering",
            "deleting weights needs a person",
            reviewers,
            now,
            now + (wait ?? TimeSpan.FromSeconds(60)),
            replica.State.Replica);
    }

    private static HoldVote Vote(HeldCall call, string reviewer, bool approve = true)
        => new(call.Id, call.CallHash, reviewer, approve, null, TimeProvider.System.GetUtcNow());

    private async Task<Replicas> StartAsync(SharedPostgres postgres, string? connectionA = null)
        => new(await StartReplicaAsync("replica-a", connectionA ?? postgres.ConnectionString), await StartReplicaAsync("replica-b", postgres.ConnectionString));

    private async Task<Replica> StartReplicaAsync(string name, string connection)
    {
        var logs = LoggerFactory.Create(logging => logging.AddProvider(new TestOutputLoggerProvider(output)).SetMinimumLevel(LogLevel.Debug));
        var audit = AuditLog.Open(new AuditOptions { Directory = Path.Combine(_folder, name) }, NullLogger<AuditLog>.Instance, TimeProvider.System);
        var options = new SharedStateOptions
        {
            Postgres = connection,
            Replica = name,
            Heartbeat = TimeSpan.FromMilliseconds(250),
            ReplicaTimeout = TimeSpan.FromSeconds(3),
        };
        var state = await SharedState.StartAsync(options, new SessionStoreOptions(), audit, TimeProvider.System, Prometheus.Metrics.NewCustomRegistry(), logs, CancellationToken.None);
        return new Replica(state, audit, logs);
    }

    internal sealed record Replica(SharedState State, AuditLog Audit, ILoggerFactory Logs)
    {
        public PostgresHoldQueue Holds => State.Holds;

        public ValueTask AbandonAsync() => State.AbandonAsync();

        public async ValueTask DisposeAsync()
        {
            await State.DisposeAsync();
            await Audit.DisposeAsync();
            Logs.Dispose();
        }
    }

    private sealed record Replicas(Replica A, Replica B) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
        }
    }
}
