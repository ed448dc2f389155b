using System.Text.Json.Nodes;
using AgentGuard.Deploy.Infrastructure;

namespace AgentGuard.Deploy;

/// <summary>
/// deploy/prometheus: every alert is labelled and has a runbook; the paging findings page; every
/// metric named exists; and every alert has promtool tests, firing and quiet. (promtool itself runs
/// the tests: tests/deploy/promtool.sh.)
/// </summary>
public sealed class PrometheusRulesTests
{
    private static readonly List<JsonNode> Alerts = Yaml.Load(RepoPaths.Of("deploy/prometheus/agentguard-rules.yaml"))
        .At("groups").Items().SelectMany(g => g.At("rules").Items()).Where(r => r.At("alert") is not null).ToList();

    private static readonly JsonNode RuleTests = Yaml.Load(RepoPaths.Of("deploy/prometheus/agentguard-rules.test.yaml"));

    public static TheoryData<string> AlertNames()
    {
        var data = new TheoryData<string>();
        foreach (var alert in Alerts)
        {
            data.Add(alert.At("alert").Text()!);
        }

        return data;
    }

    [Fact]
    public void Alerts_HaveUniqueNames()
    {
        var names = Alerts.Select(a => a.At("alert").Text()).ToList();

        Assert.NotEmpty(names);
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(AlertNames))]
    public void Alert_HasSeverityAndRunbookAnnotations(string name)
    {
        var alert = Alert(name);

        Assert.Contains(alert.At("labels.severity").Text(), new[] { "critical", "warning" });
        Assert.False(string.IsNullOrWhiteSpace(alert.At("annotations.summary").Text()), $"{name} has no summary");
        Assert.False(string.IsNullOrWhiteSpace(alert.At("annotations.description").Text()), $"{name} has no description");
        var runbook = alert.At("annotations.runbook").Text() ?? "";
        // A runbook says what the alert means, what to do first, and where to look.
        Assert.Contains("What it means:", runbook, StringComparison.Ordinal);
        Assert.Contains("First steps:", runbook, StringComparison.Ordinal);
        Assert.Contains("1. ", runbook, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AlertNames))]
    public void Alert_NamesOnlyMetricsTheGuardExports(string name)
    {
        var expr = Alert(name).At("expr").Text()!;

        Assert.All(GuardMetrics.NamesIn(expr), metric => Assert.True(GuardMetrics.IsExported(metric), $"{name} uses {metric}, which the guard does not export"));
    }

    [Theory]
    [MemberData(nameof(AlertNames))]
    public void Alert_OnFindings_RunbookShowsTheAuditQuery(string name)
    {
        var alert = Alert(name);
        if (!alert.At("expr").Text()!.Contains("agentguard_findings_total", StringComparison.Ordinal))
        {
            return;
        }

        Assert.Contains("agentguard.dll audit query", alert.At("annotations.runbook").Text(), StringComparison.Ordinal);
        Assert.Contains("--finding", alert.At("annotations.runbook").Text(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AgentGuardShutdownTampering", "shutdown-tampering")]
    [InlineData("AgentGuardWeightExfiltration", "weight-exfiltration")]
    [InlineData("AgentGuardGuardTampering", "guard-tampering")]
    public void FindingAlert_AnyOccurrence_PagesAtOnce(string name, string finding)
    {
        var alert = Alert(name);
        var expr = alert.At("expr").Text()!;

        Assert.Equal("critical", alert.At("labels.severity").Text());
        Assert.Null(alert.At("for"));
        Assert.Contains($"increase(agentguard_findings_total{{finding=\"{finding}\"}}[5m]) > 0", expr, StringComparison.Ordinal);
        Assert.Contains($"--finding {finding}", alert.At("annotations.runbook").Text(), StringComparison.Ordinal);
    }

    [Fact]
    public void RequiredAlerts_AllExist()
    {
        string[] required =
        [
            "AgentGuardShutdownTampering", "AgentGuardWeightExfiltration", "AgentGuardGuardTampering",
            "AgentGuardAuditWriteFailures", "AgentGuardPolicyReloadFailed", "AgentGuardDenyRateHigh",
            "AgentGuardDown", "AgentGuardTargetsMissing",
        ];
        var names = Alerts.Select(a => a.At("alert").Text()).ToHashSet();

        Assert.All(required, name => Assert.Contains(name, names));
        Assert.Contains("up{job=\"agentguard\"} == 0", Alert("AgentGuardDown").At("expr").Text(), StringComparison.Ordinal);
        Assert.Contains("absent(up{job=\"agentguard\"})", Alert("AgentGuardTargetsMissing").At("expr").Text(), StringComparison.Ordinal);
    }

    [Fact]
    public void RuleTests_LoadTheRulesFile()
    {
        var files = RuleTests.At("rule_files").Strings();

        Assert.Equal(new[] { "agentguard-rules.yaml" }, files);
    }

    [Theory]
    [MemberData(nameof(AlertNames))]
    public void RuleTests_CoverEveryAlert_FiringAndQuiet(string name)
    {
        var cases = RuleTestCases().Where(c => c.At("alertname").Text() == name).ToList();

        Assert.True(cases.Any(c => c.At("exp_alerts").Items().Any()), $"{name} has no promtool case in which it fires");
        Assert.True(cases.Any(c => !c.At("exp_alerts").Items().Any()), $"{name} has no promtool case in which it stays quiet");
        foreach (var firing in cases.SelectMany(c => c.At("exp_alerts").Items()))
        {
            // promtool compares all labels and annotations: a case without them would not even pass.
            Assert.Equal(Alert(name).At("labels.severity").Text(), firing.At("exp_labels.severity").Text());
            Assert.NotNull(firing.At("exp_annotations.runbook"));
        }
    }

    [Fact]
    public void RuleTests_NameOnlyExistingAlerts()
    {
        var names = Alerts.Select(a => a.At("alert").Text()).ToHashSet();

        Assert.All(RuleTestCases(), c => Assert.True(names.Contains(c.At("alertname").Text()), $"the tests name an alert that does not exist: {c.At("alertname").Text()}"));
    }

    private static IEnumerable<JsonNode> RuleTestCases()
        => RuleTests.At("tests").Items().SelectMany(t => t.At("alert_rule_test").Items());

    private static JsonNode Alert(string name) => Alerts.Single(a => a.At("alert").Text() == name);
}
