using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AgentGuard.Infrastructure;
using AgentGuard.Proxy;
using Xunit.Abstractions;

namespace AgentGuard.Admin;

/// <summary>The security reviewers' API on the admin plane: its token, the audit query and the policy routes, on real sockets.</summary>
public sealed class AdminApiTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>A token long enough to be accepted.</summary>
    public const string Token = "0123456789abcdef-test-token";

    private const string ShutdownTampering = """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"modify_var","arguments":{"key":"shutdown_enabled","value":"false"}}}""";
    private const string Allowed = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_server_files","arguments":{"ip":"10.0.12.45"}}}""";

    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-admin-").FullName;
    private readonly HttpClient _http = new();
    private TestUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await TestUpstream.StartRecordingAsync();

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        _http.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Api_TokenConfigured_401WithoutOrWrongToken_200WithIt()
    {
        await using var guard = await StartAsync(new() { ["AgentGuard:AdminApiToken"] = Token });
        var policy = new Uri(guard.AdminAddress, "/api/policy");

        using var without = await _http.GetAsync(policy);
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal("Bearer", without.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("AgentGuard:AdminApiToken", (await JsonAsync(without)).GetProperty("error").GetString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(policy, "Bearer", Token + "x")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(policy, "Bearer", Token[..^1])).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(policy, "Basic", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(policy, "Bearer", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(policy, "bearer", Token)).StatusCode);
    }

    [Fact]
    public async Task Api_TokenConfigured_ReloadNeedsTheTokenToo()
    {
        await using var guard = await StartAsync(new() { ["AgentGuard:AdminApiToken"] = Token });
        var lastLoad = guard.Policies.LastResult;

        using var refused = await _http.PostAsync(new Uri(guard.AdminAddress, "/api/policy/reload"), content: null);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Same(lastLoad, guard.Policies.LastResult);
    }

    [Fact]
    public async Task Api_NoTokenConfigured_LoopbackClientServed()
    {
        await using var guard = await StartAsync();

        using var response = await _http.GetAsync(new Uri(guard.AdminAddress, "/api/policy"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Api_Policy_ReportsVersionFilesCountsAndLastLoad()
    {
        await using var guard = await StartAsync();

        var body = await JsonAsync(await _http.GetAsync(new Uri(guard.AdminAddress, "/api/policy")));

        var policy = guard.Policies.Current;
        Assert.Equal(policy.Version, body.GetProperty("version").GetString());
        Assert.Equal(policy.Files, body.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToArray());
        Assert.Equal(policy.Rules.Length, body.GetProperty("rules").GetInt32());
        Assert.Equal(policy.Assets.Length, body.GetProperty("assets").GetInt32());
        Assert.True(body.GetProperty("assets").GetInt32() > 0);
        Assert.Equal("allow", body.GetProperty("default").GetString());
        Assert.True(body.GetProperty("lastLoad").GetProperty("succeeded").GetBoolean());
        Assert.Empty(body.GetProperty("lastLoad").GetProperty("errors").EnumerateArray());
    }

    [Fact]
    public async Task Api_PolicyReload_ValidEditTakesEffect_InvalidRejectedWith422AndLastGoodStays()
    {
        var policies = Path.Combine(_folder, "policies");
        Directory.CreateDirectory(policies);
        var file = Path.Combine(policies, "policy.yaml");
        await File.WriteAllTextAsync(file, Policy("allow"));
        await using var guard = await StartAsync(new() { ["AgentGuard:WatchPolicies"] = "false" }, [policies]);
        var reload = new Uri(guard.AdminAddress, "/api/policy/reload");
        var first = guard.Policies.Current.Version;

        await File.WriteAllTextAsync(file, Policy("deny"));
        using var accepted = await _http.PostAsync(reload, content: null);
        var acceptedBody = await JsonAsync(accepted);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("success", acceptedBody.GetProperty("result").GetString());
        Assert.Equal(first, acceptedBody.GetProperty("previousVersion").GetString());
        Assert.Equal(guard.Policies.Current.Version, acceptedBody.GetProperty("version").GetString());
        Assert.True(acceptedBody.GetProperty("changed").GetBoolean());
        var good = guard.Policies.Current.Version;
        Assert.NotEqual(first, good);

        await File.WriteAllTextAsync(file, "rules: [ { id: broken, decision: maybe } ]");
        using var rejected = await _http.PostAsync(reload, content: null);
        var rejectedBody = await JsonAsync(rejected);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, rejected.StatusCode);
        Assert.Equal("failure", rejectedBody.GetProperty("result").GetString());
        Assert.Equal(good, rejectedBody.GetProperty("version").GetString());
        Assert.Contains(rejectedBody.GetProperty("errors").EnumerateArray(), e => e.GetString()!.Contains("policy.yaml:1:", StringComparison.Ordinal));
        Assert.Equal(good, guard.Policies.Current.Version);

        var status = await JsonAsync(await _http.GetAsync(new Uri(guard.AdminAddress, "/api/policy")));
        Assert.False(status.GetProperty("lastLoad").GetProperty("succeeded").GetBoolean());
        Assert.NotEmpty(status.GetProperty("lastLoad").GetProperty("errors").EnumerateArray());
    }

    [Fact]
    public async Task Api_Audit_DeniedCall_ReturnedByDecisionFilterAsTheLogHoldsIt()
    {
        var audit = Path.Combine(_folder, "audit");
        await using var guard = await StartAsync(new() { ["AgentGuard:Audit:Directory"] = audit });
        var endpoint = new Uri(guard.DataAddress, "/mcp");
        await Mcp.PostAsync(_http, endpoint, Allowed);
        var denied = await Mcp.PostAsync(_http, endpoint, ShutdownTampering);
        var reference = (await Mcp.ReadMessagesAsync(denied))[0].GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString()![^17..^1];

        using var response = await _http.GetAsync(new Uri(guard.AdminAddress, "/api/audit?decision=deny"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await JsonAsync(response);
        var record = Assert.Single(body.GetProperty("records").EnumerateArray());
        Assert.Equal("deny", record.GetProperty("decision").GetString());
        Assert.Equal("modify_var", record.GetProperty("tool").GetString());
        Assert.Equal("shutdown-tampering", record.GetProperty("finding").GetString());
        Assert.Equal(reference, record.GetProperty("ref").GetString());
        Assert.Equal(0, body.GetProperty("offset").GetInt32());
        Assert.Equal(AuditEndpoint.DefaultLimit, body.GetProperty("limit").GetInt32());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("next").ValueKind);

        // The record is the log's own line, byte for byte.
        var line = File.ReadLines(Directory.GetFiles(audit, "*.jsonl").Single()).Single(l => l.Contains(reference, StringComparison.Ordinal) && l.Contains("\"decision\"", StringComparison.Ordinal));
        Assert.Equal(line, record.GetRawText());
    }

    [Fact]
    public async Task Api_Audit_FiltersBySeverityToolAndTime()
    {
        await using var guard = await StartAsync(new() { ["AgentGuard:Audit:Directory"] = Path.Combine(_folder, "audit") });
        var endpoint = new Uri(guard.DataAddress, "/mcp");
        await Mcp.PostAsync(_http, endpoint, Allowed);
        await Mcp.PostAsync(_http, endpoint, ShutdownTampering);

        Assert.Single(await RecordsAsync(guard, "severity=high"));
        Assert.Single(await RecordsAsync(guard, "tool=list_server_files"));
        Assert.Equal(2, (await RecordsAsync(guard, "since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00%2B02:00")).Count);
        Assert.Empty(await RecordsAsync(guard, "until=2000-01-01T00:00:00Z"));
        Assert.Equal(2, (await RecordsAsync(guard, "since=2000-01-01T00:00:00+00:00")).Count);
        Assert.Empty(await RecordsAsync(guard, "agent=someone-else"));
    }

    [Fact]
    public async Task Api_Audit_Paging_NextIsTheOffsetOfTheFollowingPage()
    {
        await using var guard = await StartAsync(new() { ["AgentGuard:Audit:Directory"] = Path.Combine(_folder, "audit") });
        var endpoint = new Uri(guard.DataAddress, "/mcp");
        for (var i = 0; i < 3; i++)
        {
            await Mcp.PostAsync(_http, endpoint, ShutdownTampering);
        }

        var first = await JsonAsync(await _http.GetAsync(new Uri(guard.AdminAddress, "/api/audit?limit=2")));
        Assert.Equal(2, first.GetProperty("records").GetArrayLength());
        Assert.Equal(2, first.GetProperty("next").GetInt32());

        var second = await JsonAsync(await _http.GetAsync(new Uri(guard.AdminAddress, "/api/audit?limit=2&offset=2")));
        Assert.Equal(1, second.GetProperty("records").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);
        Assert.NotEqual(first.GetProperty("records")[0].GetProperty("seq").GetInt64(), second.GetProperty("records")[0].GetProperty("seq").GetInt64());

        var capped = await JsonAsync(await _http.GetAsync(new Uri(guard.AdminAddress, "/api/audit?limit=5000")));
        Assert.Equal(AuditEndpoint.MaxLimit, capped.GetProperty("limit").GetInt32());
    }

    [Theory]
    [InlineData("desicion=deny", "unknown parameter 'desicion'")]
    [InlineData("since=yesterday", "since 'yesterday' is not an ISO 8601 time")]
    [InlineData("severity=severe", "severity 'severe' is unknown")]
    [InlineData("severity=4", "severity '4' is unknown")]
    [InlineData("decision=block", "decision 'block' is unknown")]
    [InlineData("type=everything", "type 'everything' is unknown")]
    [InlineData("limit=0", "limit '0' is not a positive whole number")]
    [InlineData("offset=-1", "offset '-1' is not a whole number")]
    [InlineData("decision=deny&decision=flag", "give 'decision' once")]
    public async Task Api_Audit_InvalidParameter_400NamingIt(string query, string error)
    {
        await using var guard = await StartAsync(new() { ["AgentGuard:Audit:Directory"] = Path.Combine(_folder, "audit") });

        using var response = await _http.GetAsync(new Uri(guard.AdminAddress, "/api/audit?" + query));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(error, (await JsonAsync(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_Audit_LogOff_404SayingHowToTurnItOn()
    {
        await using var guard = await StartAsync();

        using var response = await _http.GetAsync(new Uri(guard.AdminAddress, "/api/audit"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("AgentGuard:Audit:Directory", (await JsonAsync(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private Task<GuardHost> StartAsync(Dictionary<string, string?>? settings = null, IEnumerable<string>? policies = null)
        => TestGuard.StartAsync(output, _upstream.Address, policies, settings);

    private Task<HttpResponseMessage> GetAsync(Uri uri, string scheme, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, token);
        return _http.SendAsync(request);
    }

    private async Task<List<JsonElement>> RecordsAsync(GuardHost guard, string query)
    {
        using var response = await _http.GetAsync(new Uri(guard.AdminAddress, "/api/audit?" + query));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await JsonAsync(response)).GetProperty("records").EnumerateArray()];
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
        => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private static string Policy(string decision) => $$"""
        rules:
          - id: echo
            when: { tool: echo }
            decision: {{decision}}
            finding: { category: test, severity: low }
        """;
}
