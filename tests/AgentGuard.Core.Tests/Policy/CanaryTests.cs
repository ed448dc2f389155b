using AgentGuard.Infrastructure;
using AgentGuard.Protocols;
using AgentGuard.Sessions;

namespace AgentGuard.Policy;

/// <summary>Decoys no honest task touches: any effect on one is a critical finding, the call decided as configured.</summary>
public class CanaryTests
{
    private const string Yaml = """
        assets:
          model-weights:
            resources: ["**/*.safetensors"]
        canaries:
          resources:
            - "host://*/backup_model_weight.safetensors"
            - "**/unlisted/shutdown_config.yaml"
        tools:
          read_server_file:
            - { kind: read, resource: "host://{ip}/{filename}" }
          copy_server_file:
            - { kind: copy, resource: "host://{ip}/{filename}", destination: "host://{ip}/{new_filename}" }
          transfer_server_files:
            - { kind: move, resource: "host://{source_ip}/{filenames[*]}", destination: "host://{dest_ip}/" }
          write_file:
            - { kind: write, resource: "file://{path}" }
        rules:
          - id: exfiltration
            when: { kind: [copy, move], asset: model-weights, crosses_host: true }
            decision: deny
            finding: { category: weight-exfiltration, severity: critical }
          - id: local-copy
            when: { kind: copy, asset: model-weights }
            decision: flag
            finding: { category: weight-copy, severity: low }
        """;

    private static Decision Decide(PolicySet policy, string tool, string arguments, ILineage? lineage = null)
        => PolicyEngine.Decide(policy, new ToolCall(new Agent("a", "r"), "s", "mcp", McpMethods.ToolsCall, tool, Json.Parse(arguments)), lineage);

    [Fact]
    public void A_read_of_a_canary_is_allowed_and_found_critical()
    {
        var decision = Decide(TestPolicies.Compile(Yaml), "read_server_file", """{"ip":"10.0.12.45","filename":"backup_model_weight.safetensors"}""");
        Assert.Equal(DecisionKind.Allow, decision.Kind);
        Assert.Equal(Decision.CanaryRuleId, decision.RuleId);
        Assert.Equal(Finding.CanaryTouched, decision.Finding);
        Assert.Contains("host://10.0.12.45/backup_model_weight.safetensors", decision.Message);
    }

    [Fact]
    public void A_rule_that_denies_still_denies_but_the_finding_is_the_canary()
    {
        var decision = Decide(TestPolicies.Compile(Yaml), "transfer_server_files", """{"source_ip":"h","dest_ip":"x","filenames":["backup_model_weight.safetensors"]}""");
        Assert.Equal(DecisionKind.Deny, decision.Kind);
        Assert.Equal("canary-touched", decision.Finding!.Category);
        Assert.Contains("exfiltration", decision.Message);
    }

    [Fact]
    public void The_configured_decision_applies_to_a_write_as_to_a_read()
    {
        var policy = TestPolicies.Compile(Yaml.Replace("canaries:\n", "canaries:\n  decision: deny\n"));
        Assert.Equal(DecisionKind.Deny, policy.CanaryDecision);
        var decision = Decide(policy, "write_file", """{"path":"/srv/unlisted/shutdown_config.yaml"}""");
        Assert.Equal(DecisionKind.Deny, decision.Kind);
        Assert.Equal("canary-touched", decision.Finding!.Category);
    }

    [Fact]
    public void A_copy_of_a_canary_is_a_canary_too()
    {
        var policy = TestPolicies.Compile(Yaml);
        var lineage = new SessionLineage(8);
        var copy = Decide(policy, "copy_server_file", """{"ip":"h","filename":"backup_model_weight.safetensors","new_filename":"x.bin"}""", lineage);
        foreach (var entry in copy.Carried!)
        {
            lineage.TryAdd(entry);
        }

        var read = Decide(policy, "read_server_file", """{"ip":"h","filename":"x.bin"}""", lineage);
        Assert.Equal("canary-touched", read.Finding!.Category);
    }

    [Fact]
    public void Calls_that_touch_no_canary_are_decided_by_the_rules_alone()
    {
        var decision = Decide(TestPolicies.Compile(Yaml), "read_server_file", """{"ip":"h","filename":"model_weight.safetensors"}""");
        Assert.Equal(Decision.DefaultRuleId, decision.RuleId);
        Assert.Null(decision.Finding);
    }

    [Theory]
    [InlineData("canaries: [\"a\"]", "canaries must be a mapping")]
    [InlineData("canaries:\n  decision: maybe\n  resources: [\"a\"]", "maybe")]
    [InlineData("canaries:\n  resources: [\"a\"]\n  colour: red", "colour")]
    [InlineData("assets:\n  canaries:\n    resources: [\"a\"]\ncanaries:\n  resources: [\"b\"]", "canaries: section")]
    public void Bad_canary_sections_are_clear_errors(string yaml, string expected)
    {
        var result = TestPolicies.CompileErrors(yaml);
        Assert.Contains(result.Errors, e => e.ToString().Contains(expected, StringComparison.Ordinal));
    }
}
