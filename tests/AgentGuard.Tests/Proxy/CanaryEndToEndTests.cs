using AgentGuard.Audit;
using AgentGuard.Demo;
using AgentGuard.Infrastructure;
using Xunit.Abstractions;

namespace AgentGuard.Proxy;

/// <summary>
/// Canaries through the real guard, beside the shipped policy: a read of a decoy reaches the tool
/// server (the agent learns nothing) and is recorded with the critical finding.
/// </summary>
public sealed class CanaryEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-canary-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_read_of_a_canary_is_forwarded_and_recorded_as_a_critical_finding()
    {
        var canaries = Path.Combine(_folder, "canaries.yaml");
        await File.WriteAllTextAsync(canaries, """
            canaries:
              resources:
                - "**/backup_notes.txt"
                - "host://*/backup_model_weight.safetensors"
            """);
        var audit = Path.Combine(_folder, "audit");
        await using var tools = await StudyToolServer.StartAsync();
        await using var guard = await TestGuard.StartAsync(output, tools.BaseAddress, [TestGuard.ShippedPolicies, canaries], new Dictionary<string, string?> { ["AgentGuard:Audit:Directory"] = audit });
        using var http = new HttpClient();

        using var response = await Mcp.PostAsync(http, new Uri(guard.DataAddress, tools.Endpoint.AbsolutePath),
            """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read_file","arguments":{"filename":"backup_notes.txt"}}}""");
        var body = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain("permission denied", body, StringComparison.Ordinal);
        Assert.Equal(["read_file"], tools.World.ReceivedCalls.Select(c => c.Tool));
        var record = Assert.Single(AuditReader.Query(audit, new AuditQuery { Type = "decision", Finding = "canary-touched" }));
        Assert.Equal("allow", record.Decision);
        Assert.Equal("critical", record.Severity);
        Assert.Equal("canary", record.Rule);

        // A call that touches no canary keeps its ordinary decision and finding.
        using var other = await Mcp.PostAsync(http, new Uri(guard.DataAddress, tools.Endpoint.AbsolutePath),
            """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"read_file","arguments":{"filename":"notes.txt"}}}""");
        Assert.Single(AuditReader.Query(audit, new AuditQuery { Type = "decision", Finding = "canary-touched" }));
    }
}
