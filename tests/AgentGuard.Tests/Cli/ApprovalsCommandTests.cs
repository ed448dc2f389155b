using System.Diagnostics;
using AgentGuard.Holds;
using AgentGuard.Infrastructure;
using Xunit.Abstractions;

namespace AgentGuard.Cli;

/// <summary><c>agentguard approvals list|approve|deny</c> as a reviewer runs them: a real process against a real guard holding a call.</summary>
public sealed class ApprovalsCommandTests(ITestOutputHelper output)
{
    private const string HeldCall = """{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"delete_server_file","arguments":{"ip":"10.0.12.45","filename":"server_migration_log_2024.txt"}}}""";

    [Fact]
    public async Task ListThenApprove_TokenFromEnvironment_CallForwardedAndASecondApprovalRefused()
    {
        await using var setup = await HoldingGuard.StartAsync(output);
        using var http = new HttpClient();
        var call = Mcp.PostAsync(http, setup.Endpoint, HeldCall);
        var id = Assert.Single(await setup.HeldAsync()).GetProperty("id").GetString()!;
        var admin = setup.Guard.AdminAddress.ToString();

        var (listCode, listed, _) = await RunAsync(HoldingGuard.AliceToken, "approvals", "list", "--admin", admin);
        var (code, stdout, stderr) = await RunAsync(HoldingGuard.AliceToken, "approvals", "approve", id, "--reason", "ticket 42", "--admin", admin);

        Assert.Equal(0, listCode);
        Assert.Contains(id, listed, StringComparison.Ordinal);
        Assert.Contains("delete_server_file", listed, StringComparison.Ordinal);
        Assert.Contains("rule hold-server-delete (destructive-action), approvals 0/1", listed, StringComparison.Ordinal);
        Assert.True(code == 0, stderr);
        Assert.Contains($"approved {id}: the call is forwarded", stdout, StringComparison.Ordinal);
        var answer = Assert.Single(await Mcp.ReadMessagesAsync(await call.WaitAsync(TimeSpan.FromSeconds(30))));
        Assert.Equal("Deleted 'server_migration_log_2024.txt' from 10.0.12.45.", answer.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Contains(setup.HoldRecords(id), r => r.GetProperty("event").GetString() == "vote" && r.GetProperty("reason").GetString() == "ticket 42");

        var (again, _, refused) = await RunAsync(HoldingGuard.AliceToken, "approvals", "approve", id, "--admin", admin);
        Assert.Equal(1, again);
        Assert.Contains($"held call '{id}' is not pending", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deny_WithTokenOption_CallDenied()
    {
        await using var setup = await HoldingGuard.StartAsync(output);
        using var http = new HttpClient();
        var call = Mcp.PostAsync(http, setup.Endpoint, HeldCall);
        var id = Assert.Single(await setup.HeldAsync()).GetProperty("id").GetString()!;

        var (code, stdout, stderr) = await RunAsync(null, "approvals", "deny", id, "--token", HoldingGuard.BobToken, "--admin", setup.Guard.AdminAddress.ToString());

        Assert.True(code == 0, stderr);
        Assert.Contains($"denied {id}", stdout, StringComparison.Ordinal);
        var answer = Assert.Single(await Mcp.ReadMessagesAsync(await call.WaitAsync(TimeSpan.FromSeconds(30))));
        Assert.True(answer.GetProperty("result").GetProperty("isError").GetBoolean());
    }

    [Fact]
    public async Task Approve_WithoutToken_ExitsTwoAndSaysWhereTheTokenGoes()
    {
        var (code, _, stderr) = await RunAsync(null, "approvals", "approve", "0123456789abcdef", "--admin", "http://127.0.0.1:9");

        Assert.Equal(2, code);
        Assert.Contains("a vote needs your reviewer token: --token TOKEN or the AGENTGUARD_REVIEWER_TOKEN environment variable", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_AdminPlaneUnreachable_ExitsThree()
    {
        var (code, _, stderr) = await RunAsync(HoldingGuard.AliceToken, "approvals", "list", "--admin", "http://127.0.0.1:9");

        Assert.Equal(3, code);
        Assert.Contains("cannot reach the admin plane at http://127.0.0.1:9/", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approve_NotAReviewersToken_ExitsOneWithTheGuardsReasonAndTheCallStaysHeld()
    {
        await using var setup = await HoldingGuard.StartAsync(output);
        using var http = new HttpClient();
        _ = Mcp.PostAsync(http, setup.Endpoint, HeldCall);
        var id = Assert.Single(await setup.HeldAsync()).GetProperty("id").GetString()!;

        // Reading falls back to the admin API's own rule (here: loopback, no admin token); voting never does.
        var (code, _, stderr) = await RunAsync("not-a-reviewer-token", "approvals", "approve", id, "--admin", setup.Guard.AdminAddress.ToString());

        Assert.Equal(1, code);
        Assert.Contains("error: 401: approvals need a reviewer's own token", stderr, StringComparison.Ordinal);
        Assert.Single(await setup.PendingAsync());
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string? token, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "agentguard.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (token is null)
        {
            start.Environment.Remove(ApprovalsCommand.TokenVariable);
        }
        else
        {
            start.Environment[ApprovalsCommand.TokenVariable] = token;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout, await stderr);
    }
}
