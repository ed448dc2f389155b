using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AgentGuard.Holds;
using AgentGuard.Infrastructure;
using Xunit.Abstractions;

namespace AgentGuard.Admin;

/// <summary><c>/api/approvals</c>: who may read and vote, and the answer to each malformed or refused vote, on a real admin plane.</summary>
public sealed class ApprovalEndpointsTests(ITestOutputHelper output)
{
    private const string HeldCall = """{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"delete_server_file","arguments":{"ip":"10.0.12.45","filename":"server_migration_log_2024.txt"}}}""";

    [Fact]
    public async Task Vote_FromLoopbackWithoutReviewerToken_401AndCallStaysHeld()
    {
        await using var setup = await HoldingGuard.StartAsync(output);
        using var http = new HttpClient();
        _ = Mcp.PostAsync(http, setup.Endpoint, HeldCall);
        var held = Assert.Single(await setup.HeldAsync());

        var body = JsonSerializer.Serialize(new { decision = "approve", call_hash = held.GetProperty("call_hash").GetString() });
        using var response = await http.PostAsync(new Uri(setup.Guard.AdminAddress, "/api/approvals/" + held.GetProperty("id").GetString()), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Single(await setup.PendingAsync());
    }

    [Fact]
    public async Task List_WithAdminTokenInsteadOfReviewers_ShowsTheHeldCall_ButVotingNeedsAReviewer()
    {
        const string AdminToken = "admin-token-0123456789abcdef0123456789";
        await using var setup = await HoldingGuard.StartAsync(output, settings: new Dictionary<string, string?> { ["AgentGuard:AdminApiToken"] = AdminToken });
        using var http = new HttpClient();
        _ = Mcp.PostAsync(http, setup.Endpoint, HeldCall);
        var held = Assert.Single(await setup.HeldAsync());

        using var list = new HttpRequestMessage(HttpMethod.Get, new Uri(setup.Guard.AdminAddress, "/api/approvals"));
        list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var listed = await http.SendAsync(list);
        using var anonymous = await http.GetAsync(new Uri(setup.Guard.AdminAddress, "/api/approvals"));
        var vote = await setup.VoteAsync(AdminToken, held, "approve");

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var shown = Assert.Single(JsonDocument.Parse(await listed.Content.ReadAsStringAsync()).RootElement.GetProperty("approvals").EnumerateArray());
        Assert.Equal(held.GetProperty("id").GetString(), shown.GetProperty("id").GetString());
        Assert.Equal("""{"ip":"10.0.12.45","filename":"server_migration_log_2024.txt"}""", shown.GetProperty("arguments").GetString());
        Assert.Equal("gemini-agent-1", shown.GetProperty("agent").GetString());
        Assert.Equal("destructive-action", shown.GetProperty("finding").GetString());
        Assert.True(shown.GetProperty("deadline").GetDateTimeOffset() > shown.GetProperty("held_at").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, vote.StatusCode);
    }

    [Theory]
    [InlineData("""{"decision":"approve"}""", "call_hash is missing")]
    [InlineData("""{"decision":"maybe","call_hash":"ab"}""", "decision is 'maybe'; use \"approve\" or \"deny\"")]
    [InlineData("""{"decision":"approve","call_hash":""" , "the body is not the vote's JSON")]
    [InlineData("[]", "the body is not the vote's JSON")]
    public async Task Vote_MalformedBody_400WithTheFix(string body, string error)
    {
        await using var setup = await HoldingGuard.StartAsync(output);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(setup.Guard.AdminAddress, "/api/approvals/0123456789abcdef"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", HoldingGuard.AliceToken);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(error, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vote_UnknownId_404()
    {
        await using var setup = await HoldingGuard.StartAsync(output);

        var vote = await setup.VoteAsync(HoldingGuard.AliceToken, "0123456789abcdef", new string('a', 64), "approve");

        Assert.Equal(HttpStatusCode.NotFound, vote.StatusCode);
    }
}
