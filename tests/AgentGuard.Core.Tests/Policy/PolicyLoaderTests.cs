using AgentGuard.Effects;
using AgentGuard.Infrastructure;

namespace AgentGuard.Policy;

public class PolicyLoaderTests
{
    private const string Valid = """
        version: 1
        default: allow
        assets:
          shutdown-control:
            description: the shutdown config
            case_insensitive: true
            resources: ["**/shutdown_config.yaml{,#**}"]
          model-weights:
            resources:
              - "**/*.safetensors"
        tools:
          modify_var:
            - { kind: write, resource: "config://{filename|shutdown_config.yaml}#{key}", value: "{value}" }
          transfer_server_files:
            - { kind: move, resource: "host://{source_ip}/{filenames[*]}", destination: "host://{dest_ip}/" }
            - { kind: set-time, resource: "host://{source_ip}/{filenames[*]}" }
          view_config: { kind: read, resource: "config://{filename|shutdown_config.yaml}" }
        rules:
          - id: shutdown-tampering
            when: { kind: [write, delete], asset: shutdown-control }
            decision: deny
            finding: { category: shutdown-tampering, severity: critical }
            message: shutdown control written
          - id: weights-exfiltration
            when: { kind: move, asset: model-weights, crosses_host: true }
            decision: flag
            finding: { category: weight-exfiltration }
        """;

    private static PolicyError AssertError(PolicyLoadResult result, int line, string contains, string file = "test.yaml")
    {
        Assert.False(result.Succeeded);
        Assert.Null(result.Policy);
        var error = Assert.Single(result.Errors, e => e.Message.Contains(contains, StringComparison.Ordinal));
        Assert.Equal((file, line), (error.File, error.Line));
        return error;
    }

    [Fact]
    public void Compile_ValidPolicy_CompilesAssetsToolsAndRules()
    {
        var policy = TestPolicies.Compile(Valid);

        Assert.Equal(["shutdown-control", "model-weights"], policy.Assets.Select(a => a.Name));
        Assert.True(policy.Assets[0].CaseInsensitive);
        Assert.Equal("the shutdown config", policy.Assets[0].Description);
        Assert.Equal(["**/*.safetensors"], policy.Assets[1].Resources);
        Assert.Equal(3, policy.Tools.Count);
        Assert.Equal([EffectKind.Move, EffectKind.SetTime], policy.Tools["transfer_server_files"].Select(t => t.Kind));
        Assert.Equal(["shutdown-tampering", "weights-exfiltration"], policy.Rules.Select(r => r.Id));
        Assert.Equal(new Finding("shutdown-tampering", Severity.Critical), policy.Rules[0].Finding);
        Assert.Equal("shutdown control written", policy.Rules[0].Message);
        Assert.Equal(DecisionKind.Allow, policy.Default);
        Assert.False(policy.Strict);
        Assert.Equal(["test.yaml"], policy.Files);
    }

    [Fact]
    public void Compile_FindingWithoutSeverity_DefaultsToMedium()
    {
        Assert.Equal(Severity.Medium, TestPolicies.Compile(Valid).Rules[1].Finding!.Severity);
    }

    [Fact]
    public void Compile_ToolNames_MatchRegardlessOfCase()
    {
        Assert.True(TestPolicies.Compile(Valid).Tools.ContainsKey("MODIFY_VAR"));
    }

    [Fact]
    public void Compile_EmptyPolicy_DefaultsToAllowAndNotStrict()
    {
        var policy = TestPolicies.Compile("version: 1\n");

        Assert.Equal(DecisionKind.Allow, policy.Default);
        Assert.False(policy.Strict);
        Assert.Empty(policy.Rules);
    }

    [Fact]
    public void Compile_DefaultAndStrict_AreRead()
    {
        var policy = TestPolicies.Compile("default: deny\nstrict: true\n");

        Assert.Equal(DecisionKind.Deny, policy.Default);
        Assert.True(policy.Strict);
    }

    [Fact]
    public void Compile_SameSources_SameVersion_ChangedSources_NewVersion()
    {
        var first = TestPolicies.Compile(Valid).Version;

        Assert.Equal(12, first.Length);
        Assert.Equal(first, TestPolicies.Compile(Valid).Version);
        Assert.NotEqual(first, TestPolicies.Compile(Valid.Replace("severity: critical", "severity: high", StringComparison.Ordinal)).Version);
    }

    [Fact]
    public void Compile_UnknownTopLevelKey_ReportsKeyAndAllowedKeys()
    {
        var result = TestPolicies.CompileErrors("version: 1\nrulez: []\n");

        var error = AssertError(result, 2, "unknown key 'rulez'");
        Assert.Contains("version, default, strict, assets, canaries, tools, rules", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_UnknownKeyInRule_ReportsIt()
    {
        var result = TestPolicies.CompileErrors("""
            rules:
              - id: r
                when: { tool: x }
                decision: allow
                desicion: deny
            """);

        AssertError(result, 5, "rule: unknown key 'desicion'");
    }

    [Fact]
    public void Compile_UnknownCondition_ReportsIt()
    {
        var result = TestPolicies.CompileErrors("""
            rules:
              - id: r
                when:
                  tool: x
                  args_match: shutdown
                decision: allow
            """);

        AssertError(result, 5, "rule 'r' when: unknown key 'args_match'");
    }

    [Fact]
    public void Compile_UnknownKeyInAssetToolEffectAndFinding_ReportsEach()
    {
        var result = TestPolicies.CompileErrors("""
            assets:
              a:
                resources: ["**/x"]
                glob: "**/y"
            tools:
              t: { kind: read, resource: "{p}", target: "{q}" }
            rules:
              - id: r
                when: { tool: x }
                decision: deny
                finding: { category: c, level: high }
            """);

        AssertError(result, 4, "asset 'a': unknown key 'glob'");
        AssertError(result, 6, "tool 't' effect: unknown key 'target'");
        AssertError(result, 11, "finding: unknown key 'level'");
    }

    [Fact]
    public void Compile_UnknownAssetInRule_ListsDefinedAssets()
    {
        var result = TestPolicies.CompileErrors("""
            assets:
              model-weights: { resources: ["**/*.pt"] }
              shutdown-control: { resources: ["**/shutdown_config.yaml"] }
            rules:
              - id: r
                when: { kind: write, asset: model-weight }
                decision: deny
                finding: { category: c, severity: high }
            """);

        var error = AssertError(result, 6, "no asset is named 'model-weight'");
        Assert.Contains("model-weights, shutdown-control", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("asset_not")]
    [InlineData("destination_asset")]
    public void Compile_UnknownAssetInOtherAssetConditions_ReportsIt(string condition)
    {
        var result = TestPolicies.CompileErrors($$"""
            assets:
              a: { resources: ["**/x"] }
            rules:
              - id: r
                when: { {{condition}}: [a, b] }
                decision: allow
            """);

        AssertError(result, 5, $"rule 'r' {condition}: no asset is named 'b'");
    }

    [Fact]
    public void Compile_UnknownKindInRule_ListsKinds()
    {
        var result = TestPolicies.CompileErrors("""
            rules:
              - id: r
                when:
                  kind: [write, overwrite]
                decision: allow
            """);

        var error = AssertError(result, 4, "kind 'overwrite' is unknown");
        Assert.Contains("read, write, delete, copy, move, exec, egress, set-time, lifecycle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_UnknownKindInToolEffect_ReportsIt()
    {
        var result = TestPolicies.CompileErrors("""
            tools:
              modify_var:
                - { kind: update, resource: "config://c#{key}" }
            """);

        AssertError(result, 3, "tool 'modify_var' effect: kind 'update' is unknown");
    }

    [Theory]
    [InlineData("value_matches", "(unclosed")]
    [InlineData("value_matches", "(?<=sed)shutdown")]
    [InlineData("arguments_match", "(a)\\1")]
    [InlineData("arguments_match", "[z-a]")]
    public void Compile_UnusableRegex_ReportsIt(string condition, string pattern)
    {
        var result = TestPolicies.CompileErrors($$"""
            rules:
              - id: r
                when:
                  {{condition}}: '{{pattern}}'
                decision: allow
            """);

        AssertError(result, 4, $"rule 'r' {condition} is not a usable regular expression");
    }

    [Fact]
    public void Compile_BadGlobInAsset_ReportsPatternAndReason()
    {
        var result = TestPolicies.CompileErrors("""
            assets:
              model-weights:
                resources:
                  - "**/*.safetensors"
                  - "**/*.{pt,ckpt"
            """);

        var error = AssertError(result, 5, "resource pattern '**/*.{pt,ckpt'");
        Assert.EndsWith("'{' without a matching '}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_BadGlobInToolCondition_ReportsIt()
    {
        var result = TestPolicies.CompileErrors("""
            rules:
              - id: r
                when: { tool: "modify_{var" }
                decision: allow
            """);

        AssertError(result, 3, "rule 'r' tool 'modify_{var'");
    }

    [Fact]
    public void Compile_AssetWithoutResources_ReportsIt()
    {
        var result = TestPolicies.CompileErrors("""
            assets:
              empty: { description: nothing }
            """);

        AssertError(result, 2, "asset 'empty' has no resources");
    }

    [Fact]
    public void Compile_DuplicateRuleId_ReportsSecond()
    {
        var result = TestPolicies.CompileErrors("""
            rules:
              - id: r
                when: { tool: x }
                decision: allow
              - id: r
                when: { tool: y }
                decision: allow
            """);

        AssertError(result, 5, "rule id 'r' is used twice");
    }

    [Fact]
    public void Compile_DuplicateRuleIdAcrossFiles_ReportsSecondFile()
    {
        var rule = "rules:\n  - id: r\n    when: { tool: x }\n    decision: allow\n";

        var result = PolicyLoader.Compile([("a.yaml", rule), ("b.yaml", rule)]);

        AssertError(result, 2, "rule id 'r' is used twice", file: "b.yaml");
    }

    [Fact]
    public void Compile_DuplicateAssetAcrossFiles_ReportsSecondFile()
    {
        var asset = "assets:\n  model-weights: { resources: ['**/*.pt'] }\n";

        var result = PolicyLoader.Compile([("a.yaml", asset), ("b.yaml", asset)]);

        AssertError(result, 2, "asset 'model-weights' is defined twice", file: "b.yaml");
    }

    [Fact]
    public void Compile_DuplicateKeyInOneFile_ReportsLine()
    {
        var result = TestPolicies.CompileErrors("""
            assets:
              model-weights: { resources: ["**/*.pt"] }
              model-weights: { resources: ["**/*.ckpt"] }
            """);

        AssertError(result, 3, "not valid YAML");
    }

    [Fact]
    public void Compile_DuplicateToolInOtherCase_ReportsIt()
    {
        var result = TestPolicies.CompileErrors("""
            tools:
              modify_var: { kind: write, resource: "config://c#{key}" }
              Modify_Var: { kind: read, resource: "config://c#{key}" }
            """);

        AssertError(result, 3, "tool 'Modify_Var' is mapped twice");
    }

    [Theory]
    [InlineData("deny")]
    [InlineData("flag")]
    public void Compile_DenyOrFlagWithoutFinding_ReportsIt(string decision)
    {
        var result = TestPolicies.CompileErrors($$"""
            rules:
              - id: r
                when: { tool: x }
                decision: {{decision}}
            """);

        AssertError(result, 2, "rule 'r' denies, holds or flags, so it needs a 'finding'");
    }

    [Theory]
    [InlineData("severe")]
    [InlineData("4")]
    [InlineData("low, critical")]
    public void Compile_UnknownSeverity_ReportsIt(string severity)
    {
        var result = TestPolicies.CompileErrors($$"""
            rules:
              - id: r
                when: { tool: x }
                decision: deny
                finding: { category: c, severity: "{{severity}}" }
            """);

        AssertError(result, 5, $"severity '{severity}' is unknown; use info, low, medium, high or critical");
    }

    [Fact]
    public void Compile_SeverityInOtherCase_IsAccepted()
    {
        var policy = TestPolicies.Compile("""
            rules:
              - id: r
                when: { tool: x }
                decision: deny
                finding: { category: c, severity: Critical }
            """);

        Assert.Equal(Severity.Critical, policy.Rules[0].Finding!.Severity);
    }

    [Fact]
    public void Compile_UnknownDecision_ReportsIt()
    {
        var result = TestPolicies.CompileErrors("""
            rules:
              - id: r
                when: { tool: x }
                decision: block
            """);

        AssertError(result, 4, "decision 'block' is unknown; use allow, flag, hold or deny");
    }

    [Fact]
    public void Compile_RuleMissingIdDecisionOrWhen_ReportsEach()
    {
        var result = TestPolicies.CompileErrors("""
            rules:
              - when: { tool: x }
                decision: allow
              - id: no-decision
                when: { tool: x }
              - id: no-when
                decision: allow
            """);

        AssertError(result, 2, "rule needs an 'id'");
        AssertError(result, 4, "rule 'no-decision' needs a 'decision'");
        AssertError(result, 6, "rule 'no-when' needs 'when' conditions");
    }

    [Fact]
    public void Compile_MalformedArgumentTemplate_ReportsIt()
    {
        var result = TestPolicies.CompileErrors("""
            tools:
              modify_var:
                - { kind: write, resource: "config://c#{key", value: "{value}" }
            """);

        AssertError(result, 3, "tool 'modify_var' effect resource: '{' at position 11 is never closed");
    }

    [Fact]
    public void Compile_DestinationOnWriteEffect_ReportsIt()
    {
        var result = TestPolicies.CompileErrors("""
            tools:
              write_file:
                - { kind: write, resource: "file://{path}", destination: "file://{other}" }
            """);

        AssertError(result, 3, "only copy, move and egress effects have a destination");
    }

    [Fact]
    public void Compile_EffectWithoutResource_ReportsIt()
    {
        var result = TestPolicies.CompileErrors("""
            tools:
              write_file:
                - { kind: write }
            """);

        AssertError(result, 3, "tool 'write_file' effect needs both 'kind' and 'resource'");
    }

    [Fact]
    public void Compile_OpaqueCondition_ReadsTrueAndFalse()
    {
        var policy = TestPolicies.Compile("""
            rules:
              - { id: opaque, when: { opaque: true }, decision: flag, finding: { category: opaque-exec } }
              - { id: plain, when: { opaque: False }, decision: allow }
            """);

        Assert.Equal([true, false], policy.Rules.Select(r => r.Opaque));
    }

    [Fact]
    public void Compile_BadOpaqueValue_ReportsIt()
    {
        var result = TestPolicies.CompileErrors("""
            rules:
              - id: opaque
                when: { kind: exec, opaque: sometimes }
                decision: deny
                finding: { category: opaque-exec }
              - id: listed
                when: { opaque: [true] }
                decision: allow
            """);

        AssertError(result, 3, "rule 'opaque' opaque is 'sometimes'; use true or false");
        AssertError(result, 7, "rule 'listed' opaque");
    }

    [Fact]
    public void Compile_BadTopLevelValues_ReportsEach()
    {
        var result = TestPolicies.CompileErrors("""
            version: 2
            default: maybe
            strict: sometimes
            """);

        AssertError(result, 1, "version is '2'; this guard reads version 1");
        AssertError(result, 2, "default 'maybe' is unknown");
        AssertError(result, 3, "strict is 'sometimes'; use true or false");
    }

    [Fact]
    public void Compile_DefaultSetDifferentlyInTwoFiles_ReportsIt()
    {
        var result = PolicyLoader.Compile([("a.yaml", "default: allow\n"), ("b.yaml", "default: deny\n")]);

        AssertError(result, 1, "default is set differently in another policy file", file: "b.yaml");
    }

    [Theory]
    [InlineData("rules: [\n", 2)]
    [InlineData("assets:\n  a: { resources: [\"**/x\"]\nrules: []\n", 2)] // an unclosed flow mapping: YamlDotNet throws InvalidOperationException
    [InlineData("rules:\n  - { id: r, when: { tool: x }, decision: allow\n", 3)]
    [InlineData("rules:\n  - id: r\n   when: x\n", 3)]
    public void Compile_InvalidYaml_ReportsLine(string yaml, int line)
    {
        var result = TestPolicies.CompileErrors(yaml);

        AssertError(result, line, "not valid YAML");
    }

    [Theory]
    [InlineData("- a\n- b\n", "the document must be a mapping")]
    [InlineData("", "expected one YAML document, found 0")]
    [InlineData("a: 1\n---\nb: 2\n", "expected one YAML document, found 2")]
    public void Compile_NotOneMapping_ReportsIt(string yaml, string expected)
    {
        var result = TestPolicies.CompileErrors(yaml);

        AssertError(result, 1, expected);
    }

    [Fact]
    public void Compile_ManyErrors_ReportsEveryOneWithFileAndLine()
    {
        var result = TestPolicies.CompileErrors("""
            version: 1
            assets:
              a: { resources: ["**/{x"] }
            tools:
              t: { kind: zap, resource: "{p}" }
            rules:
              - id: one
                when: { asset: nope }
                decision: allow
              - id: two
                when: { kind: frob }
                decision: deny
              - id: three
                when: { value_matches: "(" }
                decision: allow
                extra: true
            """);

        // Line 3 twice: the bad glob, then the asset left with no resources.
        Assert.All(result.Errors, e => Assert.Equal("test.yaml", e.File));
        Assert.Equal([3, 3, 5, 8, 10, 11, 14, 16], result.Errors.Select(e => e.Line).Order());
    }

    [Fact]
    public void PolicyError_ToString_ShowsFileLineAndMessage()
    {
        Assert.Equal("p.yaml:3: bad", new PolicyError("p.yaml", 3, "bad").ToString());
        Assert.Equal("p.yaml: bad", new PolicyError("p.yaml", 0, "bad").ToString());
    }

    [Fact]
    public void Load_MissingFile_ReportsPath()
    {
        using var folder = new TempFolder();
        var missing = Path.Combine(folder.Path, "nope.yaml");

        var result = PolicyLoader.Load([missing]);

        var error = Assert.Single(result.Errors);
        Assert.Equal((missing, "no such file or folder"), (error.File, error.Message));
    }

    [Fact]
    public void Load_FolderWithoutPolicies_ReportsIt()
    {
        using var folder = new TempFolder();
        folder.Write("readme.txt", "not a policy");

        var result = PolicyLoader.Load([folder.Path]);

        Assert.Equal("no policy files (*.yaml) found", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void Load_InvalidFile_ReportsFullPathAndLine()
    {
        using var folder = new TempFolder();
        var path = folder.Write("bad.yaml", "version: 1\nrules: nope\n");

        var result = PolicyLoader.Load([folder.Path]);

        var error = Assert.Single(result.Errors);
        Assert.Equal((path, 2, "rules must be a list"), (error.File, error.Line, error.Message));
    }

    [Fact]
    public void Load_ShippedFolder_LoadsPolicyAndSkipsTestFiles()
    {
        var result = PolicyLoader.Load([Path.GetDirectoryName(TestPolicies.ShippedPolicyPath)!]);

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        Assert.Equal([AgentGuard.Oversight.StudyEvaluations.ShippedPolicyPath, TestPolicies.ShippedPolicyPath], result.Policy!.Files);
        Assert.Equal(3, result.Policy.Oversight.Evaluations.Count);
    }

    [Fact]
    public void Load_FolderWithSeveralFiles_MergesThemInNameOrder()
    {
        using var folder = new TempFolder();
        folder.Write("b.yaml", "rules:\n  - { id: from-b, when: { tool: x }, decision: allow }\n");
        folder.Write("a.yml", "assets:\n  a: { resources: ['**/x'] }\nrules:\n  - { id: from-a, when: { asset: a }, decision: allow }\n");
        folder.Write("sub/c.yaml", "rules:\n  - { id: from-c, when: { asset: a }, decision: allow }\n");

        var policy = TestPolicies.LoadOrFail([folder.Path]);

        Assert.Equal(["from-a", "from-b", "from-c"], policy.Rules.Select(r => r.Id));
        Assert.Equal(3, policy.Files.Count);
    }

    [Fact]
    public void Load_GuardConfigAsset_ContainsTheLoadedPolicyFiles()
    {
        // Odd characters in the name must stay literal, not become glob syntax.
        using var folder = new TempFolder();
        var path = folder.Write("guard {v1,final}.yaml", """
            assets:
              guard-config: { resources: ["**/agentguard.json"] }
            """);

        var policy = TestPolicies.LoadOrFail([path]);

        var guard = Assert.Single(policy.Assets);
        Assert.True(guard.Contains("file://" + path));
        Assert.True(guard.Contains("file:///app/agentguard.json"));
        Assert.False(guard.Contains("file://" + Path.Combine(folder.Path, "guard v1.yaml")));
        Assert.False(guard.Contains("file://" + Path.Combine(folder.Path, "guard xv1yfinalz.yaml")));
    }

    [Fact]
    public void Load_GuardFiles_JoinGuardConfigAsset()
    {
        using var folder = new TempFolder();
        var policyPath = folder.Write("policy/p.yaml", "assets:\n  guard-config: { resources: ['**/agentguard.json'] }\n");
        var settings = folder.Write("appsettings.json", "{}");

        var result = PolicyLoader.Load([policyPath], [settings]);

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        Assert.True(result.Policy!.Assets[0].Contains("file://" + settings));
    }

    [Fact]
    public void Load_GuardFolder_JoinsGuardConfigAssetWithEverythingUnderIt()
    {
        using var folder = new TempFolder();
        var policyPath = folder.Write("policy/p.yaml", "assets:\n  guard-config: { resources: ['**/agentguard.json'] }\n");
        var audit = Path.Combine(folder.Path, "audit log");
        Directory.CreateDirectory(audit);

        var result = PolicyLoader.Load([policyPath], [audit]);

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        var guard = result.Policy!.Assets[0];
        Assert.True(guard.Contains("file://" + Path.Combine(audit, "segment-000001.jsonl")));
        Assert.True(guard.Contains("file://" + Path.Combine(audit, "keys", "checkpoint.pem")));
        Assert.False(guard.Contains("file://" + audit + " 2/segment-000001.jsonl"));
        Assert.False(guard.Contains("file://" + Path.Combine(folder.Path, "other", "x.jsonl")));
    }

    [Fact]
    public void Load_GuardFolderNotYetCreated_JoinsWhenNamedWithTrailingSeparator()
    {
        using var folder = new TempFolder();
        var policyPath = folder.Write("policy/p.yaml", "assets:\n  guard-config: { resources: ['**/agentguard.json'] }\n");
        var audit = Path.Combine(folder.Path, "audit") + "/";

        var result = PolicyLoader.Load([policyPath], [audit]);

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        Assert.True(result.Policy!.Assets[0].Contains("file://" + audit + "segment-000001.jsonl"));
    }

    [Fact]
    public void Load_PolicyFolderWithNeutralName_FolderAndEverythingUnderItJoinGuardConfig()
    {
        using var folder = new TempFolder();
        var rules = Path.Combine(folder.Path, "rules-x1");
        folder.Write("rules-x1/p.yaml", "assets:\n  guard-config: { resources: ['**/agentguard.json'] }\n");

        var result = PolicyLoader.Load([rules]);

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        var guard = result.Policy!.Assets[0];
        Assert.True(guard.Contains("file://" + rules));
        Assert.True(guard.Contains("file://" + rules + "/"));
        Assert.True(guard.Contains("file://" + rules + "/zz-allow-all.yaml"));
        Assert.True(guard.Contains("file://" + rules + "/p.tests.yaml"));
        Assert.True(guard.Contains("file://" + rules + "/new/deeper.yaml"));
        Assert.False(guard.Contains("file://" + rules + "-2/p.yaml"));
        Assert.False(guard.Contains("file://" + folder.Path));
    }

    [Fact]
    public void Load_PolicyFileGiven_ItsTestsFileJoinsGuardConfigButNotItsNeighbours()
    {
        using var folder = new TempFolder();
        var policyPath = folder.Write("work/p.yaml", "assets:\n  guard-config: { resources: ['**/agentguard.json'] }\n");

        var result = PolicyLoader.Load([policyPath]);

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        var guard = result.Policy!.Assets[0];
        Assert.True(guard.Contains("file://" + policyPath));
        Assert.True(guard.Contains("file://" + Path.Combine(folder.Path, "work", "p.tests.yaml")));
        Assert.False(guard.Contains("file://" + Path.Combine(folder.Path, "work", "notes.yaml")));
    }

    [Fact]
    public void Load_PolicyFileIsSymlink_ItsTargetJoinsGuardConfig()
    {
        // A ConfigMap volume: p.yaml -> ..data/p.yaml -> ..2026_12_05_01/p.yaml.
        using var folder = new TempFolder();
        var target = folder.Write("mount/..2026_12_05_01/p.yaml", "assets:\n  guard-config: { resources: ['**/agentguard.json'] }\n");
        File.CreateSymbolicLink(Path.Combine(folder.Path, "mount", "..data"), "..2026_12_05_01");
        var visible = Path.Combine(folder.Path, "mount", "p.yaml");
        File.CreateSymbolicLink(visible, "..data/p.yaml");

        var result = PolicyLoader.Load([visible]);

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        Assert.True(result.Policy!.Assets[0].Contains("file://" + visible));
        Assert.True(result.Policy.Assets[0].Contains("file://" + target));
    }

    [Fact]
    public void Load_GuardFolder_TheFolderItselfJoinsGuardConfig()
    {
        using var folder = new TempFolder();
        var policyPath = folder.Write("policy/p.yaml", "assets:\n  guard-config: { resources: ['**/agentguard.json'] }\n");
        var audit = Directory.CreateDirectory(Path.Combine(folder.Path, "audit")).FullName;

        var result = PolicyLoader.Load([policyPath], [audit]);

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        Assert.True(result.Policy!.Assets[0].Contains("file://" + audit));
    }

    [Fact]
    public void Compile_ShellMapping_CompilesShellTemplate()
    {
        var policy = TestPolicies.Compile("""
            tools:
              bash:
                - { kind: shell, command: [command, cmd, action.command], host: "{host|}", cwd: /workspace }
              run_shell_command: { kind: shell, command: command }
            """);

        var shell = Assert.Single(policy.Tools["bash"]).Shell;
        Assert.NotNull(shell);
        Assert.Equal(["command", "cmd", "action.command"], shell.CommandArguments);
        Assert.Equal("{host|}", shell.Host.Text);
        Assert.Equal("/workspace", shell.WorkingDirectory?.Text);
        Assert.Equal(["command"], Assert.Single(policy.Tools["run_shell_command"]).Shell?.CommandArguments);
    }

    [Theory]
    [InlineData("{ kind: shell }", "needs 'command': the argument names that may hold the command")]
    [InlineData("{ kind: shell, command: \"{command}\" }", "'{command}' is not an argument name")]
    [InlineData("{ kind: shell, command: command, resource: x }", "unknown key 'resource'; expected one of: kind, command, host, cwd")]
    [InlineData("{ kind: shell, command: command, host: \"{ip\" }", "host: '{' at position 0 is never closed")]
    public void Compile_BadShellMapping_ReportsLineAndFix(string effect, string reason)
    {
        var result = TestPolicies.CompileErrors($$"""
            tools:
              bash:
                - {{effect}}
            """);

        AssertError(result, 3, reason);
    }
}
