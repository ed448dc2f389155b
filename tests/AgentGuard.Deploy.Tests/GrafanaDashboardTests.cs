using System.Text.Json.Nodes;
using AgentGuard.Deploy.Infrastructure;

namespace AgentGuard.Deploy;

/// <summary>
/// deploy/grafana/agentguard.json imports with a ${DS_PROMETHEUS} input, its panels fit the grid,
/// every query names metrics the guard exports, and the panels the SREs need are there.
/// (tests/deploy/promtool.sh checks that every query parses as PromQL.)
/// </summary>
public sealed class GrafanaDashboardTests
{
    private const string DataSource = "${DS_PROMETHEUS}";

    private static readonly JsonNode Dashboard = GuardConfig.Parse(File.ReadAllText(RepoPaths.Of("deploy/grafana/agentguard.json")), "deploy/grafana/agentguard.json");

    private static readonly List<JsonNode> Panels = Dashboard.At("panels").Items()
        .SelectMany(p => new[] { p }.Concat(p.At("panels").Items())).ToList();

    private static readonly List<string> Queries = Panels.SelectMany(p => p.At("targets").Items()).Select(t => t.At("expr").Text() ?? "").ToList();

    [Fact]
    public void Dashboard_ImportsWithAPrometheusInput()
    {
        var input = Assert.Single(Dashboard.At("__inputs").Items());

        Assert.Equal("DS_PROMETHEUS", input.At("name").Text());
        Assert.Equal("datasource", input.At("type").Text());
        Assert.Equal("prometheus", input.At("pluginId").Text());
        var schema = int.Parse(Dashboard.At("schemaVersion").Text()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(schema, 36, 41);
        Assert.Equal("agentguard", Dashboard.At("uid").Text());
        Assert.Null(Dashboard.At("id"));
        // Provisioned from a file (deploy/compose), __inputs is ignored: the same name as a
        // datasource variable makes ${DS_PROMETHEUS} resolve there too.
        var variable = Assert.Single(Dashboard.At("templating.list").Items(), v => v.At("name").Text() == "DS_PROMETHEUS");
        Assert.Equal("datasource", variable.At("type").Text());
        Assert.Equal("prometheus", variable.At("query").Text());
    }

    [Fact]
    public void Panels_AllQueryTheInputDatasource()
    {
        foreach (var panel in Panels.Where(p => p.At("type").Text() != "row"))
        {
            Assert.Equal(DataSource, panel.At("datasource.uid").Text());
            Assert.NotEmpty(panel.At("targets").Items());
            Assert.All(panel.At("targets").Items(), t => Assert.Equal(DataSource, t.At("datasource.uid").Text()));
        }
    }

    [Fact]
    public void Panels_HaveUniqueIds_AndFitTheGridWithoutOverlap()
    {
        var ids = Panels.Select(p => p.At("id").Text()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());

        var cells = new HashSet<(int X, int Y)>();
        foreach (var panel in Panels)
        {
            var (x, y, w, h) = (Int(panel, "gridPos.x"), Int(panel, "gridPos.y"), Int(panel, "gridPos.w"), Int(panel, "gridPos.h"));
            Assert.True(x >= 0 && w > 0 && x + w <= 24 && h > 0, $"panel '{panel.At("title").Text()}' does not fit the 24-column grid");
            for (var cx = x; cx < x + w; cx++)
            {
                for (var cy = y; cy < y + h; cy++)
                {
                    Assert.True(cells.Add((cx, cy)), $"panel '{panel.At("title").Text()}' overlaps another at ({cx}, {cy})");
                }
            }
        }
    }

    [Fact]
    public void Queries_NameOnlyMetricsTheGuardExports()
    {
        Assert.NotEmpty(Queries);
        foreach (var query in Queries)
        {
            Assert.All(GuardMetrics.NamesIn(query), metric => Assert.True(GuardMetrics.IsExported(metric), $"the dashboard queries {metric}, which the guard does not export: {query}"));
        }
    }

    [Theory]
    [InlineData("decisions per second by decision", "sum by (decision) (rate(agentguard_tool_calls_total")]
    [InlineData("findings by category", "sum by (finding) (increase(agentguard_findings_total")]
    [InlineData("added latency p50", "histogram_quantile(0.5, sum by (le) (rate(agentguard_decision_duration_seconds_bucket")]
    [InlineData("added latency p95", "histogram_quantile(0.95, sum by (le) (rate(agentguard_decision_duration_seconds_bucket")]
    [InlineData("added latency p99", "histogram_quantile(0.99, sum by (le) (rate(agentguard_decision_duration_seconds_bucket")]
    [InlineData("upstream latency p99", "histogram_quantile(0.99, sum by (le) (rate(agentguard_upstream_duration_seconds_bucket")]
    [InlineData("inspection failures by reason", "sum by (reason) (increase(agentguard_inspection_failures_total")]
    [InlineData("audit records per second", "rate(agentguard_audit_records_total")]
    [InlineData("audit write latency", "rate(agentguard_audit_write_duration_seconds_bucket")]
    [InlineData("audit errors", "increase(agentguard_audit_errors_total")]
    [InlineData("policy version", "agentguard_policy_info")]
    [InlineData("policy reload results", "sum by (result) (increase(agentguard_policy_reloads_total")]
    [InlineData("guards up", "up{job=\"agentguard\"")]
    public void Dashboard_HasPanel(string what, string query)
    {
        Assert.True(Queries.Any(q => q.Contains(query, StringComparison.Ordinal)), $"no panel shows {what} ({query}...)");
    }

    private static int Int(JsonNode node, string path) => int.Parse(node.Required(path, "panel").Text()!, System.Globalization.CultureInfo.InvariantCulture);
}
