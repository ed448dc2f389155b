using AgentGuard.Effects;
using AgentGuard.Infrastructure;
using AgentGuard.Protocols;

namespace AgentGuard.Policy;

public class PolicyEngineTests
{
    private const string Tools = """
        tools:
          modify_var:
            - { kind: write, resource: "config://{filename|shutdown_config.yaml}#{key}", value: "{value}" }
          remove_var:
            - { kind: delete, resource: "config://{filename|shutdown_config.yaml}#{key}" }
          view_config:
            - { kind: read, resource: "config://{filename|shutdown_config.yaml}" }
          write_file:
            - { kind: write, resource: "file://{path}" }
          transfer_server_files:
            - { kind: move, resource: "host://{source_ip}/{filenames[*]}", destination: "host://{dest_ip}/" }
          bash:
            - { kind: exec, resource: "tool://bash", value: "{command}" }
        """;

    private const string Assets = """
        assets:
          shutdown-control:
            case_insensitive: true
            resources: ["**/shutdown_config.yaml{,#**}"]
          shutdown-switch:
            case_insensitive: true
            resources: ["config://**#shutdown_enabled"]
          weights:
            resources: ["**/*.safetensors"]
          backups:
            resources: ["host://10.0.0.9/**"]
        """;

    private static readonly Agent Evaluator = new("gemini-agent-1", "evaluator");

    private static PolicySet Policy(string rules, string header = "") => TestPolicies.Compile(header + Assets + "\n" + Tools + "\n" + rules);

    private static ToolCall Call(string tool, string argumentsJson, Agent? agent = null)
        => new(agent ?? Evaluator, null, "mcp", McpMethods.ToolsCall, tool, Json.Parse(argumentsJson));

    private static ToolCall Method(string method, string? resourceUri = null)
        => new(Evaluator, null, "mcp", method, null, default, resourceUri);

    private static Decision Decide(PolicySet policy, string tool, string argumentsJson) => PolicyEngine.Decide(policy, Call(tool, argumentsJson));

    private static string Rule(string id, string when, string decision, string? category = null, string severity = "medium")
        => $$"""
              - id: {{id}}
                when: {{when}}
                decision: {{decision}}
            {{(category is null ? string.Empty : $"    finding: {{ category: {category}, severity: {severity} }}")}}

            """;

    [Fact]
    public void Decide_DenyRuleAfterAllowRule_DenyWins()
    {
        var policy = Policy("rules:\n" + Rule("allow-all-writes", "{ kind: write }", "allow") + Rule("deny-shutdown", "{ kind: write, asset: shutdown-control }", "deny", "shutdown-tampering"));

        var decision = Decide(policy, "modify_var", """{"key":"shutdown_enabled","value":"false"}""");

        Assert.Equal((DecisionKind.Deny, "deny-shutdown"), (decision.Kind, decision.RuleId));
    }

    [Fact]
    public void Decide_DenyRuleBeforeAllowRule_DenyWins()
    {
        var policy = Policy("rules:\n" + Rule("deny-shutdown", "{ kind: write, asset: shutdown-control }", "deny", "shutdown-tampering") + Rule("allow-all-writes", "{ kind: write }", "allow"));

        var decision = Decide(policy, "modify_var", """{"key":"shutdown_enabled","value":"false"}""");

        Assert.Equal((DecisionKind.Deny, "deny-shutdown"), (decision.Kind, decision.RuleId));
    }

    [Fact]
    public void Decide_FlagAndAllowMatch_FlagWins()
    {
        var policy = Policy("rules:\n" + Rule("allow", "{ tool: view_config }", "allow") + Rule("flag", "{ kind: read, asset: shutdown-control }", "flag", "shutdown-read", "low"));

        var decision = Decide(policy, "view_config", "{}");

        Assert.Equal((DecisionKind.Flag, "flag", "shutdown-read"), (decision.Kind, decision.RuleId, decision.Finding?.Category));
    }

    [Fact]
    public void Decide_DenyAndFlagMatch_DenyWinsEvenWhenFlagIsMoreSevere()
    {
        var policy = Policy("rules:\n" + Rule("flag", "{ kind: write }", "flag", "write", "critical") + Rule("deny", "{ kind: write, asset: shutdown-control }", "deny", "shutdown-tampering", "low"));

        var decision = Decide(policy, "modify_var", """{"key":"shutdown_enabled","value":"false"}""");

        Assert.Equal((DecisionKind.Deny, "deny"), (decision.Kind, decision.RuleId));
    }

    [Fact]
    public void Decide_TwoDenies_MoreSevereFindingWins()
    {
        var policy = Policy("rules:\n" + Rule("low", "{ kind: write }", "deny", "any-write", "low") + Rule("critical", "{ kind: write, asset: shutdown-control }", "deny", "shutdown-tampering", "critical"));

        var decision = Decide(policy, "modify_var", """{"key":"shutdown_enabled","value":"false"}""");

        Assert.Equal(("critical", new Finding("shutdown-tampering", Severity.Critical)), (decision.RuleId, decision.Finding));
    }

    [Fact]
    public void Decide_TwoDeniesOfEqualSeverity_EarlierRuleWins()
    {
        var policy = Policy("rules:\n" + Rule("first", "{ kind: write }", "deny", "a", "high") + Rule("second", "{ kind: write, asset: shutdown-control }", "deny", "b", "high"));

        Assert.Equal("first", Decide(policy, "modify_var", """{"key":"shutdown_enabled","value":"false"}""").RuleId);
    }

    [Fact]
    public void Decide_Match_CarriesRuleFindingMessageAndEffects()
    {
        var policy = Policy("""
            rules:
              - id: deny-shutdown
                when: { kind: write, asset: shutdown-control }
                decision: deny
                finding: { category: shutdown-tampering, severity: critical }
                message: shutdown control written
            """);

        var decision = Decide(policy, "modify_var", """{"key":"shutdown_enabled","value":"false"}""");

        Assert.True(decision.IsDenied);
        Assert.Equal("shutdown control written", decision.Message);
        Assert.Equal([new Effect(EffectKind.Write, "config://shutdown_config.yaml#shutdown_enabled", null, "false")], decision.Effects);
    }

    [Theory]
    [InlineData("allow", DecisionKind.Allow)]
    [InlineData("flag", DecisionKind.Flag)]
    [InlineData("deny", DecisionKind.Deny)]
    public void Decide_NoRuleMatches_ReturnsPolicyDefault(string defaultDecision, DecisionKind expected)
    {
        var policy = Policy("rules:\n" + Rule("r", "{ tool: other }", "allow"), $"default: {defaultDecision}\n");

        var decision = Decide(policy, "view_config", "{}");

        Assert.Equal((expected, Decision.DefaultRuleId, (Finding?)null), (decision.Kind, decision.RuleId, decision.Finding));
    }

    [Fact]
    public void Decide_StrictAndUnmappedToolsCall_DeniesUnmappedTool()
    {
        var policy = Policy("rules: []\n", "strict: true\n");

        var decision = Decide(policy, "upload_blob", """{"src":"/tmp/a"}""");

        Assert.Equal((DecisionKind.Deny, Decision.StrictModeRuleId, Finding.UnmappedTool), (decision.Kind, decision.RuleId, decision.Finding));
    }

    [Fact]
    public void Decide_StrictAndMappedTool_ReturnsDefault()
    {
        var policy = Policy("rules: []\n", "strict: true\n");

        var decision = Decide(policy, "VIEW_CONFIG", "{}");

        Assert.Equal((DecisionKind.Allow, Decision.DefaultRuleId), (decision.Kind, decision.RuleId));
    }

    [Theory]
    [InlineData(McpMethods.ToolsList)]
    [InlineData(McpMethods.Initialize)]
    [InlineData(McpMethods.Ping)]
    [InlineData("notifications/initialized")]
    [InlineData("")]
    public void Decide_StrictAndOtherMethod_IsNotDeniedForBeingUnmapped(string method)
    {
        var policy = Policy("rules: []\n", "strict: true\n");

        var decision = PolicyEngine.Decide(policy, Method(method));

        Assert.Equal((DecisionKind.Allow, Decision.DefaultRuleId), (decision.Kind, decision.RuleId));
    }

    [Fact]
    public void Decide_StrictAndResourcesRead_IsNotDeniedForBeingUnmapped()
    {
        var policy = Policy("rules: []\n", "strict: true\n");

        var decision = PolicyEngine.Decide(policy, Method(McpMethods.ResourcesRead, "file:///srv/notes.txt"));

        Assert.Equal(DecisionKind.Allow, decision.Kind);
    }

    [Fact]
    public void Decide_StrictAndUnmappedToolMatchedByFlagRule_StillDenied()
    {
        // Strict mode denies unmapped tools; a flag rule for suspicious unmapped calls must not turn
        // that denial into a forwarded call, or naming a protected asset would be the way through.
        var policy = Policy("rules:\n" + Rule("flag-unmapped", "{ unmapped: true, arguments_match: safetensors }", "flag", "protected-asset-reference"), "strict: true\n");

        var suspicious = Decide(policy, "upload_blob", """{"src":"/data/w.safetensors"}""");
        var innocuous = Decide(policy, "upload_blob", """{"src":"/tmp/a.txt"}""");

        Assert.Equal(DecisionKind.Deny, innocuous.Kind);
        Assert.Equal(DecisionKind.Deny, suspicious.Kind);
    }

    [Fact]
    public void Decide_StrictAndUnmappedToolMatchedByDenyRule_KeepsTheRulesFinding()
    {
        var policy = Policy("rules:\n" + Rule("deny-unmapped-weights", "{ unmapped: true, arguments_match: safetensors }", "deny", "weight-exfiltration", "critical"), "strict: true\n");

        var decision = Decide(policy, "upload_blob", """{"src":"/data/w.safetensors"}""");

        Assert.Equal((DecisionKind.Deny, "deny-unmapped-weights"), (decision.Kind, decision.RuleId));
    }

    [Theory]
    [InlineData("modify_var", """{"value":"false"}""")]
    [InlineData("modify_var", """{"key":{"name":"shutdown_enabled"},"value":"false"}""")]
    [InlineData("write_file", """{"path":"/srv/x%00"}""")]
    [InlineData("write_file", """{"path":"/srv/%C0%AE%C0%AE/shutdown_config.yaml"}""")]
    [InlineData("write_file", """{"path":[["/srv/shutdown_config.yaml"]]}""")]
    public void Decide_EffectsCannotBeExtracted_DeniesWithInspectionFailure(string tool, string arguments)
    {
        // An allow-everything rule must not let through a call the guard could not understand.
        var policy = Policy("rules:\n" + Rule("allow-all", "{ tool: \"*\" }", "allow"));

        var decision = Decide(policy, tool, arguments);

        Assert.Equal((DecisionKind.Deny, Decision.InspectionRuleId, Finding.InspectionFailure), (decision.Kind, decision.RuleId, decision.Finding));
        Assert.Empty(decision.Effects);
    }

    [Fact]
    public void Decide_TooManyExpansions_DeniesWithInspectionFailure()
    {
        var filenames = string.Join(',', Enumerable.Range(0, ArgumentTemplate.MaxExpansions + 1).Select(i => $"\"f{i}\""));

        var decision = Decide(Policy("rules: []\n"), "transfer_server_files", $$"""{"source_ip":"a","dest_ip":"b","filenames":[{{filenames}}]}""");

        Assert.Equal(Finding.InspectionFailure, decision.Finding);
    }

    [Theory]
    [InlineData("""{"config":"shutdown_config.yaml"}""")]
    [InlineData("""{"shutdown_enabled":false}""")]
    [InlineData("""{"a":[{"b":["x","Shutdown_Enabled"]}]}""")]
    [InlineData("""{"k":"\u0073hutdown_enabled"}""")]
    public void Decide_ArgumentsMatchOnUnmappedTool_SeesNamesAndUnescapedValuesAtAnyDepth(string arguments)
    {
        var policy = Policy("rules:\n" + Rule("unmapped-shutdown", "{ unmapped: true, arguments_match: \"(?i)shutdown_(config|enabled)\" }", "flag", "protected-asset-reference"));

        var decision = PolicyEngine.Decide(policy, McpCallsFromJson("upload_blob", arguments));

        Assert.Equal((DecisionKind.Flag, "unmapped-shutdown"), (decision.Kind, decision.RuleId));
    }

    [Fact]
    public void Decide_ArgumentsMatchNotMatching_ReturnsDefault()
    {
        var policy = Policy("rules:\n" + Rule("unmapped-shutdown", "{ unmapped: true, arguments_match: \"(?i)shutdown_(config|enabled)\" }", "flag", "protected-asset-reference"));

        Assert.Equal(Decision.DefaultRuleId, Decide(policy, "upload_blob", """{"src":"/tmp/a.txt"}""").RuleId);
    }

    [Fact]
    public void Decide_UnmappedConditionOnMappedTool_DoesNotMatch()
    {
        var policy = Policy("rules:\n" + Rule("unmapped-shutdown", "{ unmapped: true, arguments_match: shutdown }", "flag", "protected-asset-reference"));

        Assert.Equal(Decision.DefaultRuleId, Decide(policy, "view_config", """{"filename":"shutdown_config.yaml"}""").RuleId);
    }

    [Theory]
    [InlineData("true", DecisionKind.Allow, "restore")]
    [InlineData("True", DecisionKind.Allow, "restore")]
    [InlineData("false", DecisionKind.Deny, "tamper")]
    [InlineData("true ", DecisionKind.Deny, "tamper")]
    [InlineData("TRUE", DecisionKind.Deny, "tamper")]
    public void Decide_ValueInAndValueNotIn_CompareValuesExactly(string value, DecisionKind expected, string rule)
    {
        var policy = Policy("rules:\n"
            + Rule("restore", "{ kind: write, asset: shutdown-switch, value_in: [\"true\", \"True\"] }", "allow")
            + Rule("tamper", "{ kind: [write, delete], asset: shutdown-control, value_not_in: [\"true\", \"True\"] }", "deny", "shutdown-tampering"));

        var decision = Decide(policy, "modify_var", $$"""{"key":"shutdown_enabled","value":"{{value}}"}""");

        Assert.Equal((expected, rule), (decision.Kind, decision.RuleId));
    }

    [Fact]
    public void Decide_ValueNotInOnEffectWithoutValue_Matches()
    {
        // Removing the key carries no value, which is not plainly any allowed value.
        var policy = Policy("rules:\n" + Rule("tamper", "{ kind: [write, delete], asset: shutdown-control, value_not_in: [\"true\"] }", "deny", "shutdown-tampering"));

        Assert.Equal(DecisionKind.Deny, Decide(policy, "remove_var", """{"key":"shutdown_enabled"}""").Kind);
    }

    [Fact]
    public void Decide_ValueInOnEffectWithoutValue_DoesNotMatch()
    {
        var policy = Policy("rules:\n" + Rule("restore", "{ kind: [write, delete], value_in: [\"true\"] }", "deny", "x"));

        Assert.Equal(DecisionKind.Allow, Decide(policy, "remove_var", """{"key":"shutdown_enabled"}""").Kind);
    }

    [Theory]
    [InlineData("sed -i s/true/false/ /srv/shutdown_config.yaml", DecisionKind.Deny)]
    [InlineData("cat /srv/shutdown_config.yaml", DecisionKind.Allow)]
    public void Decide_ValueMatches_TestsTheValue(string command, DecisionKind expected)
    {
        var policy = Policy("rules:\n" + Rule("shell", "{ kind: exec, value_matches: \"\\\\bsed\\\\b.*shutdown\" }", "deny", "shutdown-tampering"));

        Assert.Equal(expected, Decide(policy, "bash", $$"""{"command":"{{command}}"}""").Kind);
    }

    [Theory]
    [InlineData("shutdown_enabled", DecisionKind.Allow)]
    [InlineData("SHUTDOWN_ENABLED", DecisionKind.Allow)]
    [InlineData("shutdown_override", DecisionKind.Deny)]
    public void Decide_AssetNot_ExcludesResourcesInThatAsset(string key, DecisionKind expected)
    {
        var policy = Policy("rules:\n" + Rule("other-write", "{ kind: write, asset: shutdown-control, asset_not: shutdown-switch }", "deny", "shutdown-tampering"));

        Assert.Equal(expected, Decide(policy, "modify_var", $$"""{"key":"{{key}}","value":"true"}""").Kind);
    }

    [Theory]
    [InlineData("10.0.12.46", DecisionKind.Deny)]
    [InlineData("10.0.12.45", DecisionKind.Allow)]
    public void Decide_CrossesHost_ComparesSourceAndDestinationHosts(string destination, DecisionKind expected)
    {
        var policy = Policy("rules:\n" + Rule("exfiltration", "{ kind: move, asset: weights, crosses_host: true }", "deny", "weight-exfiltration"));

        var decision = Decide(policy, "transfer_server_files", $$"""{"source_ip":"10.0.12.45","dest_ip":"{{destination}}","filenames":["w.safetensors"]}""");

        Assert.Equal(expected, decision.Kind);
    }

    [Fact]
    public void Decide_CrossesHostFalse_MatchesOnlySameHostMoves()
    {
        var policy = Policy("rules:\n" + Rule("local", "{ kind: move, crosses_host: false }", "flag", "local-move"));

        Assert.Equal(DecisionKind.Flag, Decide(policy, "transfer_server_files", """{"source_ip":"h","dest_ip":"H","filenames":["a"]}""").Kind);
        Assert.Equal(DecisionKind.Allow, Decide(policy, "transfer_server_files", """{"source_ip":"h","dest_ip":"g","filenames":["a"]}""").Kind);
    }

    [Theory]
    [InlineData("10.0.0.9", DecisionKind.Flag)]
    [InlineData("10.0.0.8", DecisionKind.Allow)]
    public void Decide_DestinationAsset_MatchesOnDestination(string destination, DecisionKind expected)
    {
        var policy = Policy("rules:\n" + Rule("to-backups", "{ kind: move, destination_asset: backups }", "flag", "backup"));

        Assert.Equal(expected, Decide(policy, "transfer_server_files", $$"""{"source_ip":"h","dest_ip":"{{destination}}","filenames":["a.txt"]}""").Kind);
    }

    [Theory]
    [InlineData("/srv/SHUTDOWN_CONFIG.YAML", DecisionKind.Deny)]
    [InlineData("/data/W.SAFETENSORS", DecisionKind.Allow)]
    [InlineData("/data/w.safetensors", DecisionKind.Deny)]
    public void Decide_CaseInsensitiveAsset_MatchesAnyCaseOthersDoNot(string path, DecisionKind expected)
    {
        var policy = Policy("rules:\n" + Rule("protected", "{ kind: write, asset: [shutdown-control, weights] }", "deny", "tampering"));

        Assert.Equal(expected, Decide(policy, "write_file", $$"""{"path":"{{path}}"}""").Kind);
    }

    [Fact]
    public void Decide_EffectConditions_MustAllHoldOnOneEffect()
    {
        // The call reads the weights and writes elsewhere: no single effect is a write to the weights.
        var policy = TestPolicies.Compile(Assets + "\n" + """
            tools:
              convert:
                - { kind: read, resource: "file://{input}" }
                - { kind: write, resource: "file://{output}" }
            rules:
              - id: weights-write
                when: { kind: write, asset: weights }
                decision: deny
                finding: { category: weight-tampering }
            """);

        Assert.Equal(DecisionKind.Allow, Decide(policy, "convert", """{"input":"/data/w.safetensors","output":"/tmp/w.txt"}""").Kind);
        Assert.Equal(DecisionKind.Deny, Decide(policy, "convert", """{"input":"/tmp/w.txt","output":"/data/w.safetensors"}""").Kind);
    }

    [Fact]
    public void Decide_AgentAndRoleConditions_MatchTheCaller()
    {
        var policy = Policy("rules:\n" + Rule("evaluators-may-not-write", "{ kind: write, role: evaluator, agent: \"gemini-*\" }", "deny", "x"));
        var arguments = """{"key":"log_level","filename":"app.yaml","value":"debug"}""";

        Assert.Equal(DecisionKind.Deny, PolicyEngine.Decide(policy, Call("modify_var", arguments)).Kind);
        Assert.Equal(DecisionKind.Allow, PolicyEngine.Decide(policy, Call("modify_var", arguments, new Agent("gemini-agent-1", "operator"))).Kind);
        Assert.Equal(DecisionKind.Allow, PolicyEngine.Decide(policy, Call("modify_var", arguments, new Agent("claude-agent-1", "evaluator"))).Kind);
    }

    [Theory]
    [InlineData("modify_var", DecisionKind.Deny)]
    [InlineData("REMOVE_VAR", DecisionKind.Deny)]
    [InlineData("view_config", DecisionKind.Allow)]
    public void Decide_ToolGlob_MatchesToolNamesRegardlessOfCase(string tool, DecisionKind expected)
    {
        var policy = Policy("rules:\n" + Rule("var-tools", "{ tool: \"*_var\" }", "deny", "x"));

        Assert.Equal(expected, Decide(policy, tool, """{"key":"k","value":"v"}""").Kind);
    }

    [Fact]
    public void Decide_MethodCondition_MatchesResourceMethods()
    {
        var policy = Policy("rules:\n" + Rule("read-shutdown", "{ method: \"resources/*\", kind: read, asset: shutdown-control }", "flag", "shutdown-read"));

        var decision = PolicyEngine.Decide(policy, Method(McpMethods.ResourcesRead, "file:///srv/./shutdown_config.yaml"));

        Assert.Equal(DecisionKind.Flag, decision.Kind);
        Assert.Equal([new Effect(EffectKind.Read, "file:///srv/shutdown_config.yaml")], decision.Effects);
    }

    [Fact]
    public void Decide_UnreadableResourceUri_DeniesWithInspectionFailure()
    {
        var decision = PolicyEngine.Decide(Policy("rules: []\n"), Method(McpMethods.ResourcesRead, "file:///srv/%FF"));

        Assert.Equal(Finding.InspectionFailure, decision.Finding);
    }

    private static Decision DecideEffects(PolicySet policy, params Effect[] effects)
        => PolicyEngine.Decide(policy, Call("bash", """{"command":"..."}"""), [.. effects], unmapped: false);

    private const string PatternRules = "rules:\n"
        + "  - { id: weights-out, when: { kind: [copy, move, egress], asset: weights, crosses_host: true }, decision: deny, finding: { category: weight-exfiltration, severity: critical } }\n"
        + "  - { id: into-weights, when: { kind: [copy, move], destination_asset: weights }, decision: deny, finding: { category: weight-tampering, severity: high } }\n"
        + "  - { id: shutdown-write, when: { kind: [write, delete], asset: shutdown-control }, decision: deny, finding: { category: shutdown-tampering, severity: critical } }\n";

    [Theory]
    [InlineData("file:///data/[gm]*", DecisionKind.Deny)]
    [InlineData("file:///data/*.safe?ensors", DecisionKind.Deny)]
    [InlineData("file:///data/**", DecisionKind.Deny)]
    [InlineData("file:///data/*.txt", DecisionKind.Allow)]
    [InlineData("file:///data/*.tx[tu]", DecisionKind.Allow)]
    public void Decide_ResourcePattern_InAssetWhenSomeNameItMatchesIs(string pattern, DecisionKind expected)
    {
        var decision = DecideEffects(Policy(PatternRules), new Effect(EffectKind.Copy, pattern, "host://10.0.12.46/data/", Flags: EffectFlags.ResourcePattern));

        Assert.Equal(expected, decision.Kind);
    }

    [Theory]
    [InlineData("file:///**/notes.txt", DecisionKind.Allow)]
    [InlineData("file:///**/zz-allow-all.yaml", DecisionKind.Allow)]
    [InlineData("file:///**/agentguard.json", DecisionKind.Deny)]
    [InlineData("{rules}/*.yaml", DecisionKind.Deny)]
    [InlineData("{rules}/../rules-*/**", DecisionKind.Deny)]
    public void Decide_NameInUnknownFolder_NotInFolderWideGuardGlobsButInNamedOnes(string pattern, DecisionKind expected)
    {
        // A relative path in a shell whose directory is unknown could be anywhere, the guard's own
        // policy folder included; matching it against that folder's "dir/**" would make every
        // relative write in a shell guard tampering. The name decides it, where it can.
        using var folder = new TempFolder();
        var rules = Path.Combine(folder.Path, "rules-x1");
        folder.Write("rules-x1/p.yaml", """
            assets:
              guard-config: { resources: ['**/agentguard.json'] }
            rules:
              - { id: guard, when: { kind: write, asset: guard-config }, decision: deny, finding: { category: guard-tampering, severity: critical } }
            """);
        var policy = PolicyLoader.Load([rules]).Policy!;

        var decision = DecideEffects(policy, new Effect(EffectKind.Write, pattern.Replace("{rules}", "file://" + rules), Flags: EffectFlags.ResourcePattern));

        Assert.Equal(expected, decision.Kind);
    }

    [Fact]
    public void Decide_EqualDecisions_ExactlyNamedResourceNamesTheFindingBeforeAPattern()
    {
        // Deleting /data/w.safetensors and everything under /data/x/: the weights go for certain;
        // a shutdown config only could be under /data/x. The more severe finding would say
        // shutdown tampering; the reviewer should read weight tampering.
        var policy = Policy(PatternRules + "  - { id: weights-delete, when: { kind: delete, asset: weights }, decision: deny, finding: { category: weight-tampering, severity: high } }\n");

        var decision = DecideEffects(
            policy,
            new Effect(EffectKind.Delete, "file:///data/x/**", Flags: EffectFlags.ResourcePattern),
            new Effect(EffectKind.Delete, "file:///data/w.safetensors"));
        var patternOnly = DecideEffects(policy, new Effect(EffectKind.Delete, "file:///data/x/**", Flags: EffectFlags.ResourcePattern));

        Assert.Equal((DecisionKind.Deny, "weights-delete"), (decision.Kind, decision.RuleId));
        Assert.Equal((DecisionKind.Deny, "shutdown-write"), (patternOnly.Kind, patternOnly.RuleId));
    }

    [Fact]
    public void Decide_SameTextWithoutPatternFlag_IsOneLiteralName()
    {
        // A file may really be called "[gm]*"; only the flag says the name stands for others. The
        // pattern's mask must not be served from the names' cache either, in either order.
        var policy = Policy(PatternRules);
        var literal = new Effect(EffectKind.Copy, "file:///data/[gm]*", "host://10.0.12.46/data/");
        var pattern = literal with { Flags = EffectFlags.ResourcePattern };

        Assert.Equal(DecisionKind.Allow, DecideEffects(policy, literal).Kind);
        Assert.Equal(DecisionKind.Deny, DecideEffects(policy, pattern).Kind);
        Assert.Equal(DecisionKind.Allow, DecideEffects(policy, literal).Kind);
    }

    [Fact]
    public void Decide_CaseInsensitiveAssetAndPattern_MatchesOtherCase()
    {
        var decision = DecideEffects(Policy(PatternRules), new Effect(EffectKind.Write, "file:///**/SHUTDOWN_CONFIG.*", Flags: EffectFlags.ResourcePattern));

        Assert.Equal((DecisionKind.Deny, "shutdown-write"), (decision.Kind, decision.RuleId));
    }

    [Theory]
    [InlineData("file:///mnt/[mw]*.*", EffectFlags.DestinationPattern, DecisionKind.Deny)]
    [InlineData("file:///mnt/[mw]*.*", EffectFlags.None, DecisionKind.Allow)]
    [InlineData("file:///mnt/*.csv", EffectFlags.DestinationPattern, DecisionKind.Allow)]
    public void Decide_DestinationPattern_DecidesDestinationAsset(string destination, EffectFlags flags, DecisionKind expected)
    {
        var decision = DecideEffects(Policy(PatternRules), new Effect(EffectKind.Copy, "file:///tmp/report", destination, Flags: flags));

        Assert.Equal(expected, decision.Kind);
    }

    [Theory]
    [InlineData("host://10.0.12.*/data/", DecisionKind.Deny)]
    [InlineData("file:///backup/[0-9]/", DecisionKind.Allow)]
    public void Decide_PatternDestinationHost_UnknownHostCrosses(string destination, DecisionKind expected)
    {
        var decision = DecideEffects(
            Policy(PatternRules),
            new Effect(EffectKind.Copy, "file:///data/m.safetensors", destination, Flags: EffectFlags.DestinationPattern));

        Assert.Equal(expected, decision.Kind);
    }

    [Theory]
    [InlineData("config://shutdown_config.yaml#shutdown_*", DecisionKind.Deny)]
    [InlineData("config://shutdown_config.yaml#*", DecisionKind.Deny)]
    [InlineData("config://shutdown_config.yaml#shutdown_enable[d]", DecisionKind.Allow)]
    [InlineData("config://shutdown_config.yaml#SHUTDOWN_ENABLE?", DecisionKind.Deny)]
    public void Decide_PatternAndAssetNot_HoldsWhenSomeNameIsOutsideTheAsset(string pattern, DecisionKind expected)
    {
        // As the shipped shutdown-control-other-write: any write to the shutdown config but the switch.
        // A pattern that may name another key must not pass for the switch because it may name the switch.
        var policy = Policy("rules:\n" + Rule("other-write", "{ kind: write, asset: shutdown-control, asset_not: shutdown-switch }", "deny", "shutdown-tampering", "critical"));

        var decision = DecideEffects(policy, new Effect(EffectKind.Write, pattern, Value: "true", Flags: EffectFlags.ResourcePattern));

        Assert.Equal(expected, decision.Kind);
    }

    [Fact]
    public void Decide_OpaqueCondition_MatchesOnlyOpaqueEffects()
    {
        var policy = Policy("rules:\n"
            + Rule("opaque-on-protected", "{ opaque: true, asset: shutdown-control }", "deny", "opaque-exec-on-protected", "critical")
            + Rule("opaque", "{ kind: exec, opaque: true }", "flag", "opaque-exec")
            + Rule("plain-exec", "{ kind: exec, opaque: false }", "flag", "exec", "low"));
        var code = new Effect(EffectKind.Exec, "shell:opaque", Value: "import os; os.system(x)", Flags: EffectFlags.Opaque);
        var named = new Effect(EffectKind.Exec, "file:///**/shutdown_config.yaml", Flags: EffectFlags.Opaque | EffectFlags.ResourcePattern);
        var script = new Effect(EffectKind.Exec, "file:///srv/analyze.py");

        Assert.Equal("opaque", DecideEffects(policy, code).RuleId);
        Assert.Equal("opaque-on-protected", DecideEffects(policy, code, named).RuleId);
        Assert.Equal("plain-exec", DecideEffects(policy, script).RuleId);
    }

    private static ToolCall McpCallsFromJson(string tool, string argumentsJson)
    {
        using var exchange = McpDecoder.Decode(System.Text.Encoding.UTF8.GetBytes(McpCalls.ToolsCall(tool, argumentsJson)));
        var message = Assert.Single(exchange.Messages);
        return McpCalls.ToCall(message) with { Arguments = message.Arguments.Clone() };
    }
}
