using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGuard.Admin;
using AgentGuard.Demo;
using AgentGuard.Infrastructure;
using AgentGuard.Proxy;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Xunit.Abstractions;

namespace AgentGuard.Holds;

/// <summary>
/// The real guard with the shipped policy plus rules that hold (deleting a server file: one
/// reviewer; renaming one: two; listing the server IPs: a 1 s timeout), named reviewers alice, bob
/// and carol, and an audit log, in front of the study's real MCP tool server.
/// </summary>
internal sealed class HoldingGuard : IAsyncDisposable
{
    public const string AliceToken = "alice-token-0123456789abcdef";
    public const string BobToken = "bob-token-0123456789abcdef";

    public const string HoldRules = """
        rules:
          - id: hold-server-delete
            description: deleting a file on a company server waits for a person
            when: { tool: delete_server_file }
            decision: hold
            hold: { timeout: 20s }
            finding: { category: destructive-action, severity: medium }
            message: a file on a company server would be deleted
          - id: hold-server-rename
            when: { tool: rename_server_file }
            decision: hold
            hold: { timeout: 20s, reviewers: 2 }
            finding: { category: destructive-action, severity: high }
            message: a file on a company server would be renamed
          - id: hold-briefly
            when: { tool: list_server_ips }
            decision: hold
            hold: { timeout: 1s }
            finding: { category: inventory, severity: low }
        """;

    private readonly string _folder;
    private readonly HttpClient _admin;

    private HoldingGuard(string folder, StudyToolServer tools, GuardHost guard)
    {
        _folder = folder;
        Tools = tools;
        Guard = guard;
        _admin = new HttpClient { BaseAddress = guard.AdminAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public StudyToolServer Tools { get; }

    public GuardHost Guard { get; }

    public string AuditFolder => Path.Combine(_folder, "audit");

    public static async Task<HoldingGuard> StartAsync(ITestOutputHelper output, Uri? upstream = null, IDictionary<string, string?>? settings = null)
    {
        var folder = Directory.CreateTempSubdirectory("agentguard-holds-").FullName;
        var policy = Path.Combine(folder, "policy");
        Directory.CreateDirectory(policy);
        await File.WriteAllTextAsync(Path.Combine(policy, "holds.yaml"), HoldRules);
        var reviewers = Path.Combine(folder, "reviewers.yaml");
        await File.WriteAllTextAsync(reviewers, $$"""
            reviewers:
              - { name: alice, token_sha256: {{ReviewerDirectory.Hash(AliceToken)}} }
              - { name: bob, token_sha256: {{ReviewerDirectory.Hash(BobToken)}} }
            """);
        var tools = await StudyToolServer.StartAsync();
        var values = new Dictionary<string, string?>
        {
            ["AgentGuard:Reviewers:File"] = reviewers,
            ["AgentGuard:Audit:Directory"] = Path.Combine(folder, "audit"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var guard = await TestGuard.StartAsync(output, upstream ?? tools.BaseAddress, [TestGuard.ShippedPolicies, policy], values);
        return new HoldingGuard(folder, tools, guard);
    }

    public Uri Endpoint => new(Guard.DataAddress, "/mcp");

    public async Task<McpClient> ConnectAsync()
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = Endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            Name = "evaluator",
        });
        return await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = "evaluator", Version = "1.0.0" } });
    }

    /// <summary>The held calls, as <c>GET /api/approvals</c> shows them to a reviewer.</summary>
    public async Task<List<JsonElement>> PendingAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/approvals");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AliceToken);
        using var response = await _admin.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. body.RootElement.GetProperty("approvals").EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>Waits until <paramref name="count"/> calls are held; returns them, oldest first.</summary>
    public async Task<List<JsonElement>> HeldAsync(int count = 1)
    {
        List<JsonElement> pending = [];
        await Poll.UntilAsync(async () => (pending = await PendingAsync()).Count >= count, $"{count} held call(s)");
        return pending;
    }

    public async Task<HttpResponseMessage> VoteAsync(string token, string id, string? callHash, string decision, string? reason = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/approvals/" + id)
        {
            Content = JsonContent.Create(new Dictionary<string, string?> { ["decision"] = decision, ["call_hash"] = callHash, ["reason"] = reason }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _admin.SendAsync(request);
    }

    public Task<HttpResponseMessage> VoteAsync(string token, JsonElement held, string decision, string? reason = null)
        => VoteAsync(token, held.GetProperty("id").GetString()!, held.GetProperty("call_hash").GetString(), decision, reason);

    /// <summary>The audit log's <c>hold</c> records of one held call, in order.</summary>
    public List<JsonElement> HoldRecords(string reference)
        => [.. AuditLines().Where(r => r.GetProperty("type").GetString() == "hold" && r.GetProperty("ref").GetString() == reference)];

    /// <summary>The audit log's decision record for one call.</summary>
    public JsonElement DecisionRecord(string reference)
        => AuditLines().Single(r => r.GetProperty("type").GetString() == "decision" && r.GetProperty("ref").GetString() == reference);

    private IEnumerable<JsonElement> AuditLines()
    {
        foreach (var file in Directory.GetFiles(AuditFolder, "*.jsonl").Order())
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (line.Length > 0)
                {
                    yield return JsonDocument.Parse(line).RootElement.Clone();
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await Guard.DisposeAsync();
        await Tools.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
