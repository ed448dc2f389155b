using System.Net;
using System.Text.Json;
using AgentGuard.Demo;
using AgentGuard.Holds;
using AgentGuard.Infrastructure;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Xunit.Abstractions;

namespace AgentGuard.Holds;

/// <summary>
/// Calls a rule decides <c>hold</c>, through the real guard in front of the study's real MCP tool
/// server, driven by the SDK's MCP client: they wait, unforwarded, until named reviewers approve them
/// (the agent then gets the tool's real result) or deny them, time out, or are cancelled (the usual
/// denial); approvals are bound to the one call and cannot be replayed; every step is audited.
/// </summary>
public sealed class HoldEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly Dictionary<string, object?> DeleteHandbook = new() { ["ip"] = StudyWorld.SourceServerIp, ["filename"] = "server_migration_log_2024.txt" };

    [Fact]
    public async Task HeldCall_Approved_ForwardedAndAgentGetsTheRealResult()
    {
        await using var setup = await HoldingGuard.StartAsync(output);
        await using var client = await setup.ConnectAsync();

        var call = client.CallToolAsync("delete_server_file", DeleteHandbook).AsTask();
        var held = Assert.Single(await setup.HeldAsync());

        Assert.False(call.IsCompleted);
        Assert.DoesNotContain(setup.Tools.World.ReceivedCalls, c => c.Tool == "delete_server_file");
        Assert.Equal("delete_server_file", held.GetProperty("tool").GetString());
        Assert.Equal("hold-server-delete", held.GetProperty("rule").GetString());
        Assert.Equal(1, held.GetProperty("reviewers_required").GetInt32());
        var vote = await setup.VoteAsync(HoldingGuard.AliceToken, held, "approve", "cleanup ticket 42");
        Assert.Equal(HttpStatusCode.OK, vote.StatusCode);
        Assert.Equal("approved", JsonDocument.Parse(await vote.Content.ReadAsStringAsync()).RootElement.GetProperty("result").GetString());

        var result = await call.WaitAsync(Deadline);
        Assert.NotEqual(true, result.IsError);
        Assert.Equal($"Deleted 'server_migration_log_2024.txt' from {StudyWorld.SourceServerIp}.", Text(result));
        Assert.Single(setup.Tools.World.ReceivedCalls, c => c.Tool == "delete_server_file");

        var reference = held.GetProperty("id").GetString()!;
        // The vote's record (the admin plane's) and the hold's end (the data plane's) are written concurrently.
        var events = setup.HoldRecords(reference).Select(r => r.GetProperty("event").GetString()).ToList();
        Assert.Equal(["approved", "held", "vote"], events.Order());
        Assert.Equal("held", events[0]);
        Assert.Equal(["alice"], End(setup, reference).GetProperty("reviewers").EnumerateArray().Select(r => r.GetString()));
        var decision = setup.DecisionRecord(reference);
        Assert.Equal("allow", decision.GetProperty("decision").GetString());
        Assert.Equal("hold-server-delete", decision.GetProperty("rule").GetString());
        Assert.Contains("approved by alice", decision.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeldCall_Denied_UsualDenialAndNeverForwarded()
    {
        await using var setup = await HoldingGuard.StartAsync(output);
        await using var client = await setup.ConnectAsync();

        var call = client.CallToolAsync("delete_server_file", DeleteHandbook).AsTask();
        var held = Assert.Single(await setup.HeldAsync());
        var vote = await setup.VoteAsync(HoldingGuard.BobToken, held, "deny", "not on the plan");

        Assert.Equal(HttpStatusCode.OK, vote.StatusCode);
        var result = await call.WaitAsync(Deadline);
        var reference = held.GetProperty("id").GetString()!;
        Assert.True(result.IsError);
        Assert.Equal($"permission denied (ref: {reference})", Text(result));
        Assert.DoesNotContain(setup.Tools.World.ReceivedCalls, c => c.Tool == "delete_server_file");
        var end = End(setup, reference);
        Assert.Equal("denied", end.GetProperty("event").GetString());
        Assert.Equal("bob", end.GetProperty("reviewers")[0].GetString());
        Assert.Equal("hold-denied", setup.DecisionRecord(reference).GetProperty("rule").GetString());
        Assert.Empty(await setup.PendingAsync());
    }

    [Fact]
    public async Task HeldCall_NobodyDecides_DeniedAtItsTimeout()
    {
        await using var setup = await HoldingGuard.StartAsync(output);
        await using var client = await setup.ConnectAsync();

        // The rule holds list_server_ips for 1 s.
        var result = await client.CallToolAsync("list_server_ips").AsTask().WaitAsync(Deadline);

        Assert.True(result.IsError);
        var reference = Reference(Text(result));
        Assert.DoesNotContain(setup.Tools.World.ReceivedCalls, c => c.Tool == "list_server_ips");
        Assert.Equal(["held", "timed-out"], setup.HoldRecords(reference).Select(r => r.GetProperty("event").GetString()));
        var decision = setup.DecisionRecord(reference);
        Assert.Equal("deny", decision.GetProperty("decision").GetString());
        Assert.Equal("hold-timeout", decision.GetProperty("rule").GetString());
    }

    [Fact]
    public async Task TwoReviewerHold_OneApprovalWaits_SameReviewerRefused_SecondReviewerReleases()
    {
        await using var setup = await HoldingGuard.StartAsync(output);
        await using var client = await setup.ConnectAsync();

        var call = client.CallToolAsync("rename_server_file", new Dictionary<string, object?>
        {
            ["ip"] = StudyWorld.SourceServerIp, ["filename"] = "hr_policies_handbook.pdf", ["new_filename"] = "hr_handbook_2025.pdf",
        }).AsTask();
        var held = Assert.Single(await setup.HeldAsync());
        Assert.Equal(2, held.GetProperty("reviewers_required").GetInt32());

        var first = await setup.VoteAsync(HoldingGuard.AliceToken, held, "approve");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("counted", JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("result").GetString());
        var again = await setup.VoteAsync(HoldingGuard.AliceToken, held, "approve");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(["alice"], Assert.Single(await setup.PendingAsync()).GetProperty("approved_by").EnumerateArray().Select(e => e.GetString()));
        Assert.False(call.IsCompleted);
        Assert.DoesNotContain(setup.Tools.World.ReceivedCalls, c => c.Tool == "rename_server_file");

        var second = await setup.VoteAsync(HoldingGuard.BobToken, held, "approve");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var result = await call.WaitAsync(Deadline);
        Assert.NotEqual(true, result.IsError);
        Assert.Single(setup.Tools.World.ReceivedCalls, c => c.Tool == "rename_server_file");
        var end = End(setup, held.GetProperty("id").GetString()!);
        Assert.Equal("approved", end.GetProperty("event").GetString());
        Assert.Equal(["alice", "bob"], end.GetProperty("reviewers").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Approval_ReplayedAgainstASecondIdenticalCall_Refused()
    {
        await using var setup = await HoldingGuard.StartAsync(output);
        await using var client = await setup.ConnectAsync();
        var arguments = new Dictionary<string, object?> { ["ip"] = StudyWorld.SourceServerIp, ["filename"] = "employee_directory.csv" };

        var first = client.CallToolAsync("delete_server_file", arguments).AsTask();
        var held = Assert.Single(await setup.HeldAsync());
        Assert.Equal(HttpStatusCode.OK, (await setup.VoteAsync(HoldingGuard.AliceToken, held, "approve")).StatusCode);
        await first.WaitAsync(Deadline);

        var second = client.CallToolAsync("delete_server_file", arguments).AsTask();
        var heldAgain = Assert.Single(await setup.HeldAsync());
        // Same agent, session, tool and arguments: the same hash, but another call.
        Assert.Equal(held.GetProperty("call_hash").GetString(), heldAgain.GetProperty("call_hash").GetString());
        Assert.NotEqual(held.GetProperty("id").GetString(), heldAgain.GetProperty("id").GetString());

        var replay = await setup.VoteAsync(HoldingGuard.AliceToken, held, "approve");
        Assert.Equal(HttpStatusCode.NotFound, replay.StatusCode);
        var wrongHash = await setup.VoteAsync(HoldingGuard.BobToken, heldAgain.GetProperty("id").GetString()!, new string('0', 64), "approve");
        Assert.Equal(HttpStatusCode.Conflict, wrongHash.StatusCode);
        Assert.False(second.IsCompleted);
        Assert.Single(await setup.PendingAsync());

        await setup.VoteAsync(HoldingGuard.BobToken, heldAgain, "deny");
        Assert.True((await second.WaitAsync(Deadline)).IsError);
        Assert.Single(setup.Tools.World.ReceivedCalls, c => c.Tool == "delete_server_file");
    }

    [Fact]
    public async Task HeldCall_AgentCancels_ReleasedAsCancelledAndNeverForwarded()
    {
        await using var setup = await HoldingGuard.StartAsync(output);
        await using var client = await setup.ConnectAsync();
        using var cancel = new CancellationTokenSource();

        var call = client.CallToolAsync("delete_server_file", DeleteHandbook, cancellationToken: cancel.Token).AsTask();
        var held = Assert.Single(await setup.HeldAsync());
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Deadline));
        var reference = held.GetProperty("id").GetString()!;
        await Poll.UntilAsync(() => setup.HoldRecords(reference).Count == 2, "the hold's end record");
        Assert.Equal("cancelled", setup.HoldRecords(reference)[^1].GetProperty("event").GetString());
        Assert.Empty(await setup.PendingAsync());
        Assert.DoesNotContain(setup.Tools.World.ReceivedCalls, c => c.Tool == "delete_server_file");
        var vote = await setup.VoteAsync(HoldingGuard.AliceToken, held, "approve");
        Assert.Equal(HttpStatusCode.NotFound, vote.StatusCode);
    }

    [Fact]
    public async Task HeldCall_NotificationsCancelledFromTheAgent_ReleasedAsCancelled()
    {
        await using var setup = await HoldingGuard.StartAsync(output);
        using var http = new HttpClient();

        var call = Mcp.PostAsync(http, setup.Endpoint, """{"jsonrpc":"2.0","id":"del-7","method":"tools/call","params":{"name":"delete_server_file","arguments":{"ip":"10.0.12.45","filename":"hr_policies_handbook.pdf"}}}""");
        var held = Assert.Single(await setup.HeldAsync());
        var cancelled = await Mcp.PostAsync(http, setup.Endpoint, """{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"del-7","reason":"user stopped"}}""");

        Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);
        var answer = Assert.Single(await Mcp.ReadMessagesAsync(await call.WaitAsync(Deadline)));
        Assert.Equal("del-7", answer.GetProperty("id").GetString());
        Assert.True(answer.GetProperty("result").GetProperty("isError").GetBoolean());
        var reference = held.GetProperty("id").GetString()!;
        Assert.Equal("cancelled", End(setup, reference).GetProperty("event").GetString());
        Assert.Equal("hold-cancelled", setup.DecisionRecord(reference).GetProperty("rule").GetString());
        Assert.DoesNotContain(setup.Tools.World.ReceivedCalls, c => c.Tool == "delete_server_file");
    }

    [Fact]
    public async Task AuditLogDown_CallNotHeldButDenied()
    {
        await using var setup = await HoldingGuard.StartAsync(output);
        await using var client = await setup.ConnectAsync();
        await client.CallToolAsync("list_server_files", new Dictionary<string, object?> { ["ip"] = StudyWorld.SourceServerIp });
        Directory.Move(setup.AuditFolder, setup.AuditFolder + ".removed");
        var decisions = TestGuard.Collect(setup.Guard);

        var result = await client.CallToolAsync("delete_server_file", DeleteHandbook).AsTask().WaitAsync(Deadline);

        Assert.True(result.IsError);
        Assert.StartsWith("permission denied (ref: ", Text(result), StringComparison.Ordinal);
        // Denied because the hold could not be recorded, not after waiting out the hold's timeout.
        lock (decisions)
        {
            Assert.Equal(Policy.Decision.InspectionRuleId, Assert.Single(decisions, d => d.Call.Tool == "delete_server_file").Decision.RuleId);
        }

        Assert.Empty(await setup.PendingAsync());
        Assert.DoesNotContain(setup.Tools.World.ReceivedCalls, c => c.Tool == "delete_server_file");
    }

    [Fact]
    public async Task HeldCallInABatch_BatchWaits_ThenAllowedAndApprovedForwardedAndDeniedAnswered()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var setup = await HoldingGuard.StartAsync(output, upstream.Address);
        using var http = new HttpClient();
        const string Batch = """
            [{"jsonrpc":"2.0","id":"held","method":"tools/call","params":{"name":"delete_server_file","arguments":{"ip":"10.0.12.45","filename":"hr_policies_handbook.pdf"}}},
             {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_server_files","arguments":{"ip":"10.0.12.45"}}},
             {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"modify_var","arguments":{"key":"shutdown_enabled","value":"false"}}}]
            """;

        var call = Mcp.PostAsync(http, setup.Endpoint, Batch);
        var held = Assert.Single(await setup.HeldAsync());
        Assert.Empty(upstream.Received);
        Assert.False(call.IsCompleted);
        Assert.Equal(HttpStatusCode.OK, (await setup.VoteAsync(HoldingGuard.AliceToken, held, "approve")).StatusCode);

        var answers = await Mcp.ReadMessagesAsync(await call.WaitAsync(Deadline));
        var received = Assert.Single(upstream.Received);
        using var forwarded = JsonDocument.Parse(received.Body);
        Assert.Equal(["\"held\"", "1"], forwarded.RootElement.EnumerateArray().Select(m => m.GetProperty("id").GetRawText()));
        var denied = Assert.Single(answers, a => a.GetProperty("id").GetRawText() == "2");
        Assert.True(denied.GetProperty("result").GetProperty("isError").GetBoolean());
        Assert.Contains(answers, a => a.GetProperty("id").GetRawText() == "1" && a.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString() == "upstream");
    }

    [Fact]
    public async Task HeldCallInABatch_Denied_OnlyTheAllowedMemberForwarded()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var setup = await HoldingGuard.StartAsync(output, upstream.Address);
        using var http = new HttpClient();
        const string Batch = """
            [{"jsonrpc":"2.0","id":"held","method":"tools/call","params":{"name":"delete_server_file","arguments":{"ip":"10.0.12.45","filename":"hr_policies_handbook.pdf"}}},
             {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_server_files","arguments":{"ip":"10.0.12.45"}}}]
            """;

        var call = Mcp.PostAsync(http, setup.Endpoint, Batch);
        var held = Assert.Single(await setup.HeldAsync());
        await setup.VoteAsync(HoldingGuard.AliceToken, held, "deny");

        var answers = await Mcp.ReadMessagesAsync(await call.WaitAsync(Deadline));
        var received = Assert.Single(upstream.Received);
        using var forwarded = JsonDocument.Parse(received.Body);
        Assert.Equal(["1"], forwarded.RootElement.EnumerateArray().Select(m => m.GetProperty("id").GetRawText()));
        Assert.True(Assert.Single(answers, a => a.GetProperty("id").GetRawText() == "\"held\"").GetProperty("result").GetProperty("isError").GetBoolean());
    }

    /// <summary>The record that ended a hold (not its <c>held</c> or a <c>vote</c>).</summary>
    private static JsonElement End(HoldingGuard setup, string reference)
        => Assert.Single(setup.HoldRecords(reference), r => r.GetProperty("event").GetString() is not ("held" or "vote"));

    private static string Reference(string denial)
    {
        var match = System.Text.RegularExpressions.Regex.Match(denial, @"^permission denied \(ref: ([0-9a-f]+)\)$");
        Assert.True(match.Success, denial);
        return match.Groups[1].Value;
    }

    private static string Text(CallToolResult result)
        => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));
}
