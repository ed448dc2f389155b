using System.Net;
using System.Text.Json;
using AgentGuard.Audit;
using AgentGuard.Infrastructure;
using AgentGuard.Policy;
using AgentGuard.Proxy;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace AgentGuard.Telemetry;

/// <summary>The guard's Prometheus metrics, scraped from the admin plane of a real guard on loopback.</summary>
public sealed class GuardMetricsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Agent = "gemini-agent-1";
    private const string ShutdownTampering = """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"modify_var","arguments":{"key":"shutdown_enabled","value":"false"}}}""";
    private const string Allowed = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_server_files","arguments":{"ip":"10.0.12.45"}}}""";

    private readonly HttpClient _http = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-metrics-").FullName;
    private TestUpstream _upstream = null!;
    private GuardHost _guard = null!;

    private Uri Endpoint => new(_guard.DataAddress, "/mcp");

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartRecordingAsync();
        _guard = await TestGuard.StartAsync(output, _upstream.Address);
    }

    public async Task DisposeAsync()
    {
        await _guard.DisposeAsync();
        await _upstream.DisposeAsync();
        _http.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Scrape_DeniedShutdownTampering_CountsDenyAndFinding()
    {
        var before = await ScrapeAsync();
        Assert.Equal(0, PrometheusText.Value(before, "agentguard_tool_calls_total", ("tool", "modify_var"), ("decision", "deny")));
        Assert.Equal(0, PrometheusText.Value(before, "agentguard_findings_total", ("finding", "shutdown-tampering")));

        await Mcp.PostAsync(_http, Endpoint, ShutdownTampering);

        var text = await ScrapeAsync();
        Assert.Equal(1, PrometheusText.Value(text, "agentguard_tool_calls_total", ("agent", Agent), ("tool", "modify_var"), ("decision", "deny")));
        Assert.Equal(0, PrometheusText.Value(text, "agentguard_tool_calls_total", ("tool", "modify_var"), ("decision", "allow")));
        Assert.Equal(1, PrometheusText.Value(text, "agentguard_findings_total", ("finding", "shutdown-tampering"), ("severity", "critical"), ("agent", Agent)));
        Assert.Equal(1, PrometheusText.Value(text, "agentguard_decision_duration_seconds_count"));
        Assert.Equal(1, PrometheusText.Value(text, "agentguard_decision_duration_seconds_bucket", ("le", "+Inf")));
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task Scrape_ToolNoPolicyMaps_LabelledOtherAndNameNeverExported()
    {
        const string invented = "exfiltrate_everything_7f3a";

        await Mcp.PostAsync(_http, Endpoint, Allowed.Replace("list_server_files", invented, StringComparison.Ordinal));

        var text = await ScrapeAsync();
        Assert.Equal(1, PrometheusText.Value(text, "agentguard_tool_calls_total", ("tool", "other"), ("decision", "allow")));
        Assert.DoesNotContain(invented, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_MappedToolInAnotherCase_LabelledWithThePolicysSpelling()
    {
        await Mcp.PostAsync(_http, Endpoint, ShutdownTampering.Replace("modify_var", "MODIFY_Var", StringComparison.Ordinal));

        var text = await ScrapeAsync();
        Assert.Equal(1, PrometheusText.Value(text, "agentguard_tool_calls_total", ("tool", "modify_var"), ("decision", "deny")));
        Assert.DoesNotContain("MODIFY_Var", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_MethodCalls_KnownMethodIsItsOwnLabelOthersAreOther()
    {
        await Mcp.PostAsync(_http, Endpoint, """{"jsonrpc":"2.0","id":4,"method":"tools/list"}""");
        await Mcp.PostAsync(_http, Endpoint, """{"jsonrpc":"2.0","id":5,"method":"x-secret/dump_weights_9c1"}""");

        var text = await ScrapeAsync();
        Assert.Equal(1, PrometheusText.Value(text, "agentguard_tool_calls_total", ("tool", "tools/list"), ("decision", "allow")));
        Assert.Equal(1, PrometheusText.Value(text, "agentguard_tool_calls_total", ("tool", "other"), ("decision", "allow")));
        Assert.DoesNotContain("dump_weights_9c1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_MalformedBody_CountsInspectionFailureMalformed()
    {
        var response = await Mcp.PostAsync(_http, Endpoint, """{"jsonrpc":"2.0","id":1,"method":""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        var text = await ScrapeAsync();
        Assert.Equal(1, PrometheusText.Value(text, "agentguard_inspection_failures_total", ("reason", "malformed")));
        Assert.Equal(0, PrometheusText.Value(text, "agentguard_inspection_failures_total", ("reason", "too-large")));
        Assert.Equal(0, PrometheusText.Value(text, "agentguard_decision_duration_seconds_count"));
    }

    [Fact]
    public async Task Scrape_UnsupportedHttpMethod_CountsInspectionFailureHttpMethod()
    {
        var response = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Put, Endpoint) { Content = new StringContent("{}") });
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);

        Assert.Equal(1, PrometheusText.Value(await ScrapeAsync(), "agentguard_inspection_failures_total", ("reason", "http-method")));
    }

    [Fact]
    public async Task Scrape_AllowedCall_ObservesUpstreamDuration()
    {
        await Mcp.PostAsync(_http, Endpoint, Allowed);

        // The forwarder finishes its bookkeeping just after the agent has the response.
        await Poll.UntilAsync(async () => PrometheusText.Value(await ScrapeAsync(), "agentguard_upstream_duration_seconds_count") == 1, "the upstream duration to be observed");
        var text = await ScrapeAsync();
        Assert.Equal(1, PrometheusText.Value(text, "agentguard_tool_calls_total", ("tool", "list_server_files"), ("decision", "allow")));
        Assert.True(PrometheusText.Value(text, "agentguard_upstream_duration_seconds_sum") > 0);
    }

    [Fact]
    public async Task Scrape_Exposition_NamesTypesAndNoDefaultRegistryMetrics()
    {
        var text = await ScrapeAsync();

        Assert.Contains("# TYPE agentguard_tool_calls_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE agentguard_findings_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE agentguard_decision_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE agentguard_upstream_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE agentguard_inspection_failures_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE agentguard_policy_reloads_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE agentguard_policy_info gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE agentguard_audit_records_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE agentguard_audit_write_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE agentguard_audit_errors_total counter", text, StringComparison.Ordinal);
        Assert.Equal(1, PrometheusText.Value(text, "agentguard_policy_info", ("version", _guard.Policies.Current.Version)));

        // Sub-millisecond buckets: the guard's own cost is measured in microseconds.
        Assert.Equal(0, PrometheusText.Value(text, "agentguard_decision_duration_seconds_bucket", ("le", "0.0001")));

        // A private registry: nothing the process-wide default registry would have brought.
        Assert.DoesNotContain("prometheus_net_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("microsoft_aspnetcore_", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_TwoGuardsInOneProcess_EachCountsOnlyItsOwnCalls()
    {
        await using var other = await TestGuard.StartAsync(output, _upstream.Address);

        await Mcp.PostAsync(_http, new Uri(other.DataAddress, "/mcp"), ShutdownTampering);

        Assert.Equal(1, PrometheusText.Value(await PrometheusText.ScrapeAsync(_http, other.AdminAddress), "agentguard_tool_calls_total", ("tool", "modify_var"), ("decision", "deny")));
        Assert.Equal(0, PrometheusText.Value(await ScrapeAsync(), "agentguard_tool_calls_total", ("tool", "modify_var"), ("decision", "deny")));
    }

    [Fact]
    public async Task Scrape_PolicyReloads_CountsResultsAndKeepsOnePolicyInfoSeries()
    {
        var file = Path.Combine(_folder, "policy.yaml");
        await File.WriteAllTextAsync(file, Policy("allow"));
        await using var guard = await TestGuard.StartAsync(output, _upstream.Address, [_folder], new Dictionary<string, string?> { ["AgentGuard:WatchPolicies"] = "false" });
        var first = guard.Policies.Current.Version;

        await File.WriteAllTextAsync(file, Policy("deny"));
        guard.Policies.Reload();
        await File.WriteAllTextAsync(file, "rules: [ { id: broken, decision: maybe } ]");
        guard.Policies.Reload();

        var text = await PrometheusText.ScrapeAsync(_http, guard.AdminAddress);
        var second = guard.Policies.Current.Version;
        Assert.NotEqual(first, second);
        Assert.Equal(1, PrometheusText.Value(text, "agentguard_policy_reloads_total", ("result", "success")));
        Assert.Equal(1, PrometheusText.Value(text, "agentguard_policy_reloads_total", ("result", "failure")));
        Assert.Equal(1, PrometheusText.Value(text, "agentguard_policy_info", ("version", second)));
        Assert.Null(PrometheusText.Value(text, "agentguard_policy_info", ("version", first)));
    }

    [Fact]
    public async Task Scrape_PolicyAddsToolOnReload_NewToolGetsItsOwnLabel()
    {
        var file = Path.Combine(_folder, "policy.yaml");
        await File.WriteAllTextAsync(file, Policy("allow"));
        await using var guard = await TestGuard.StartAsync(output, _upstream.Address, [_folder], new Dictionary<string, string?> { ["AgentGuard:WatchPolicies"] = "false" });
        var endpoint = new Uri(guard.DataAddress, "/mcp");
        const string call = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"fetch_report","arguments":{"path":"/r"}}}""";

        await Mcp.PostAsync(_http, endpoint, call);
        await File.WriteAllTextAsync(file, Policy("allow") + "tools:\n  fetch_report:\n    - { kind: read, resource: \"file://{path}\" }\n");
        Assert.True(guard.Policies.Reload().Succeeded);
        await Mcp.PostAsync(_http, endpoint, call);

        var text = await PrometheusText.ScrapeAsync(_http, guard.AdminAddress);
        Assert.Equal(1, PrometheusText.Value(text, "agentguard_tool_calls_total", ("tool", "other"), ("decision", "allow")));
        Assert.Equal(1, PrometheusText.Value(text, "agentguard_tool_calls_total", ("tool", "fetch_report"), ("decision", "allow")));
    }

    [Fact]
    public async Task Scrape_AuditLogOn_CountsRecordsAndWriteDuration()
    {
        await using var guard = await TestGuard.StartAsync(output, _upstream.Address, settings: new Dictionary<string, string?>
        {
            ["AgentGuard:Audit:Directory"] = Path.Combine(_folder, "audit"),
        });

        await Mcp.PostAsync(_http, new Uri(guard.DataAddress, "/mcp"), ShutdownTampering);

        // The decision is durable before the agent is answered; the write's event follows the flush.
        await Poll.UntilAsync(
            async () => PrometheusText.Value(await PrometheusText.ScrapeAsync(_http, guard.AdminAddress), "agentguard_audit_records_total") >= 1,
            "the audit record to be counted");
        var text = await PrometheusText.ScrapeAsync(_http, guard.AdminAddress);
        Assert.True(PrometheusText.Value(text, "agentguard_audit_write_duration_seconds_count") >= 1);
        Assert.Equal(0, PrometheusText.Value(text, "agentguard_audit_errors_total"));
    }

    [Fact]
    public void RecordDecisions_SteadyState_AllocatesNothing()
    {
        var policies = PolicyStore.Open([TestGuard.ShippedPolicies], [], NullLogger.Instance, TimeProvider.System, out _)!;
        using var metrics = new GuardMetrics(policies, audit: null, Agent);
        var agent = new Agent(Agent, "evaluator");
        using var arguments = JsonDocument.Parse("""{"key":"shutdown_enabled","value":"false"}""");
        DecisionRecord Record(string method, string? tool)
        {
            var call = new ToolCall(agent, null, "mcp", method, tool, tool is null ? default : arguments.RootElement);
            return new DecisionRecord(TimeProvider.System.GetUtcNow(), call, PolicyEngine.Decide(policies.Current, call), "0123456789abcdef", policies.Current.Version);
        }

        DecisionRecord[] records = [Record("tools/call", "modify_var"), Record("tools/call", "no_such_tool"), Record("tools/list", null), Record("x/unknown", null)];
        metrics.RecordDecisions(records, TimeSpan.FromMilliseconds(1));
        metrics.UpstreamAnswered(TimeSpan.FromMilliseconds(3));

        // The hot path's share of telemetry: label lookups by dictionary, children made once per policy version.
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            metrics.RecordDecisions(records, TimeSpan.FromMilliseconds(1));
            metrics.UpstreamAnswered(TimeSpan.FromMilliseconds(3));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal("modify_var", metrics.ToolLabel(records[0].Call));
        Assert.Equal(GuardMetrics.Other, metrics.ToolLabel(records[1].Call));
        Assert.Equal("tools/list", metrics.ToolLabel(records[2].Call));
        Assert.Equal(GuardMetrics.Other, metrics.ToolLabel(records[3].Call));
        policies.Dispose();
    }

    private Task<string> ScrapeAsync() => PrometheusText.ScrapeAsync(_http, _guard.AdminAddress);

    private static string Policy(string decision) => $$"""
        rules:
          - id: echo
            when: { tool: echo }
            decision: {{decision}}
            finding: { category: test, severity: low }

        """;
}
