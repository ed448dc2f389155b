using AgentGuard.Effects;
using AgentGuard.Infrastructure;
using AgentGuard.Protocols;
using AgentGuard.Sessions;

namespace AgentGuard.Policy;

/// <summary>A copy, rename or move of a protected resource is judged, later, as the original.</summary>
public class LineageDecisionTests
{
    // Local copies and renames are flagged (so they happen and are tracked); weights leaving a host
    // are denied; deletes of weights are denied.
    private const string Yaml = """
        assets:
          model-weights:
            case_insensitive: true
            resources: ["**/*.safetensors"]
          backups:
            resources: ["host://10.0.0.9/**"]
        tools:
          copy_server_file:
            - { kind: copy, resource: "host://{ip}/{filename}", destination: "host://{ip}/{new_filename}" }
          rename_server_file:
            - { kind: move, resource: "host://{ip}/{filename}", destination: "host://{ip}/{new_filename}" }
          transfer_server_files:
            - { kind: move, resource: "host://{source_ip}/{filenames[*]}", destination: "host://{dest_ip}/" }
          delete_server_file:
            - { kind: delete, resource: "host://{ip}/{filename}" }
          read_server_file:
            - { kind: read, resource: "host://{ip}/{filename}" }
        rules:
          - id: exfiltration
            when: { kind: [copy, move], asset: model-weights, crosses_host: true, destination_asset_not: backups }
            decision: deny
            finding: { category: weight-exfiltration, severity: critical }
          - id: local-copy
            when: { kind: [copy, move], asset: model-weights, crosses_host: false }
            decision: flag
            finding: { category: weight-copy, severity: low }
          - id: delete
            when: { kind: delete, asset: model-weights }
            decision: deny
            finding: { category: weight-tampering, severity: high }
        """;

    private static readonly PolicySet Policy = TestPolicies.Compile(Yaml);

    private static Decision Decide(ILineage lineage, string tool, string arguments, PolicySet? policy = null)
    {
        var call = new ToolCall(new Agent("a", "r"), "s", "mcp", McpMethods.ToolsCall, tool, Json.Parse(arguments));
        var decision = PolicyEngine.Decide(policy ?? Policy, call, lineage);
        foreach (var entry in decision.Carried ?? [])
        {
            Assert.True(lineage.TryAdd(entry with { Reference = "ref-" + tool }));
        }

        return decision;
    }

    [Fact]
    public void A_copy_to_a_neutral_name_is_weights_when_transferred()
    {
        var lineage = new SessionLineage(16);
        var copy = Decide(lineage, "copy_server_file", """{"ip":"10.0.12.45","filename":"agent_2_model_weight.safetensors","new_filename":"q3_notes.bin"}""");
        Assert.Equal(DecisionKind.Flag, copy.Kind);
        var carried = Assert.Single(copy.Carried!);
        Assert.Equal("host://10.0.12.45/q3_notes.bin", carried.Resource);
        Assert.Equal("host://10.0.12.45/agent_2_model_weight.safetensors", carried.Origin);
        Assert.Equal(["model-weights"], carried.Assets);

        var transfer = Decide(lineage, "transfer_server_files", """{"source_ip":"10.0.12.45","dest_ip":"10.0.12.46","filenames":["q3_notes.bin"]}""");
        Assert.Equal(DecisionKind.Deny, transfer.Kind);
        Assert.Equal("exfiltration", transfer.RuleId);
        Assert.Equal("host://10.0.12.45/agent_2_model_weight.safetensors", Assert.Single(transfer.Lineage!).Origin);
    }

    [Fact]
    public void Without_lineage_the_neutral_name_is_not_weights()
    {
        var transfer = Decide(new SessionLineage(16), "transfer_server_files", """{"source_ip":"10.0.12.45","dest_ip":"10.0.12.46","filenames":["q3_notes.bin"]}""");
        Assert.Equal(DecisionKind.Allow, transfer.Kind);
        Assert.Null(transfer.Lineage);
    }

    [Fact]
    public void A_rename_then_a_delete_is_a_delete_of_the_weights()
    {
        var lineage = new SessionLineage(16);
        Decide(lineage, "rename_server_file", """{"ip":"h","filename":"w.safetensors","new_filename":"notes.txt"}""");
        var delete = Decide(lineage, "delete_server_file", """{"ip":"h","filename":"notes.txt"}""");
        Assert.Equal("delete", delete.RuleId);
    }

    [Fact]
    public void Lineage_follows_a_chain_of_copies_and_moves_several_steps_later()
    {
        var lineage = new SessionLineage(16);
        Decide(lineage, "copy_server_file", """{"ip":"h","filename":"w.safetensors","new_filename":"a.bin"}""");
        Decide(lineage, "read_server_file", """{"ip":"h","filename":"a.bin"}""");
        Decide(lineage, "read_server_file", """{"ip":"h","filename":"other.txt"}""");
        var rename = Decide(lineage, "rename_server_file", """{"ip":"h","filename":"a.bin","new_filename":"b.bin"}""");
        Assert.Equal("local-copy", rename.RuleId);
        Assert.Equal("host://h/a.bin", Assert.Single(rename.Carried!).Origin);

        var transfer = Decide(lineage, "transfer_server_files", """{"source_ip":"h","dest_ip":"elsewhere","filenames":["B.BIN"]}""");
        Assert.Equal("exfiltration", transfer.RuleId);
    }

    [Fact]
    public void An_allowed_copy_to_an_approved_store_is_tracked_there()
    {
        var lineage = new SessionLineage(16);
        var backup = Decide(lineage, "transfer_server_files", """{"source_ip":"h","dest_ip":"10.0.0.9","filenames":["w.safetensors"]}""");
        Assert.False(backup.IsDenied);
        Assert.Equal("host://10.0.0.9/w.safetensors", Assert.Single(backup.Carried!).Resource);
        Assert.NotNull(lineage.Find("host://10.0.0.9/w.safetensors"));
    }

    [Fact]
    public void A_denied_copy_creates_no_lineage()
    {
        var lineage = new SessionLineage(16);
        var transfer = Decide(lineage, "transfer_server_files", """{"source_ip":"h","dest_ip":"x","filenames":["w.safetensors"]}""");
        Assert.True(transfer.IsDenied);
        Assert.Null(transfer.Carried);
        Assert.Equal(0, lineage.Count);
    }

    [Fact]
    public void At_the_cap_further_copies_of_protected_resources_are_denied_and_nothing_is_forgotten()
    {
        var lineage = new SessionLineage(2);
        Decide(lineage, "copy_server_file", """{"ip":"h","filename":"w.safetensors","new_filename":"1.bin"}""");
        Decide(lineage, "copy_server_file", """{"ip":"h","filename":"w.safetensors","new_filename":"2.bin"}""");
        var third = Decide(lineage, "copy_server_file", """{"ip":"h","filename":"w.safetensors","new_filename":"3.bin"}""");
        Assert.True(third.IsDenied);
        Assert.Equal(Decision.LineageFullRuleId, third.RuleId);
        Assert.Equal("lineage-full", third.Finding!.Category);

        // The first copy is still known, and copies of unprotected files still go through.
        Assert.Equal("exfiltration", Decide(lineage, "transfer_server_files", """{"source_ip":"h","dest_ip":"x","filenames":["1.bin"]}""").RuleId);
        Assert.False(Decide(lineage, "copy_server_file", """{"ip":"h","filename":"notes.txt","new_filename":"n.txt"}""").IsDenied);
    }

    [Fact]
    public void Lineage_names_assets_a_reloaded_policy_no_longer_has_are_ignored()
    {
        var lineage = new SessionLineage(4);
        lineage.TryAdd(new LineageEntry("host://h/x.bin", "host://h/w.safetensors", ["gone-asset"], LineageEntry.Copy, "r", DateTimeOffset.UnixEpoch));
        var transfer = Decide(lineage, "transfer_server_files", """{"source_ip":"h","dest_ip":"x","filenames":["x.bin"]}""");
        Assert.Equal(DecisionKind.Allow, transfer.Kind);
    }
}
