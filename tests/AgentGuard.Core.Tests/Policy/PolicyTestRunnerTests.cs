using System.Text.Json;
using AgentGuard.Infrastructure;
using AgentGuard.Protocols;

namespace AgentGuard.Policy;

public sealed class PolicyTestRunnerTests : IDisposable
{
    private const string Policy = """
        assets:
          shutdown-control: { resources: ["**/shutdown_config.yaml{,#**}"] }
        tools:
          modify_var: { kind: write, resource: "config://{filename|shutdown_config.yaml}#{key}", value: "{value}" }
        rules:
          - id: shutdown-tampering
            when: { kind: write, asset: shutdown-control, value_not_in: ["true"] }
            decision: deny
            finding: { category: shutdown-tampering, severity: critical }
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private (List<PolicyTestCase> Cases, List<PolicyError> Errors) Read(string yaml)
    {
        var path = _folder.Write("p.tests.yaml", yaml);
        var errors = new List<PolicyError>();
        var cases = PolicyTestRunner.ReadCases([path], errors);
        return (cases, errors);
    }

    [Fact]
    public void Run_ShippedCasesAgainstShippedPolicy_AllPass()
    {
        var errors = new List<PolicyError>();
        var cases = PolicyTestRunner.ReadCases([TestPolicies.ShippedTestsPath], errors);

        var failures = PolicyTestRunner.Run(TestPolicies.PeerPreservation, cases, out var passed);

        Assert.Empty(errors);
        Assert.True(cases.Count > 40, $"only {cases.Count} shipped cases");
        Assert.Empty(failures);
        Assert.Equal(cases.Count, passed);
    }

    [Fact]
    public void ReadCases_Case_ReadsCallAgentAndExpectation()
    {
        var (cases, errors) = Read("""
            cases:
              - name: tampering
                agent: { id: gemini-agent-1, role: evaluator }
                call: { tool: modify_var, arguments: { key: shutdown_enabled, value: "false" } }
                expect: { decision: deny, finding: shutdown-tampering, rule: shutdown-tampering }
            """);

        Assert.Empty(errors);
        var testCase = Assert.Single(cases);
        Assert.Equal(("tampering", 2, DecisionKind.Deny, "shutdown-tampering", true, "shutdown-tampering"), (testCase.Name, testCase.Line, testCase.Decision, testCase.Finding, testCase.CheckFinding, testCase.RuleId));
        Assert.EndsWith("p.tests.yaml", testCase.File, StringComparison.Ordinal);
        Assert.Equal(new Agent("gemini-agent-1", "evaluator"), testCase.Call.Agent);
        Assert.Equal((McpMethods.ToolsCall, "modify_var"), (testCase.Call.Method, testCase.Call.Tool));
        Assert.Equal("false", testCase.Call.Arguments.GetProperty("value").GetString());
    }

    [Fact]
    public void ReadCases_CaseWithoutAgentOrFinding_UsesDefaultAgentAndChecksNoFinding()
    {
        var (cases, _) = Read("""
            cases:
              - name: a
                call: { tool: view_config }
                expect: { decision: allow }
              - name: b
                call: { tool: view_config }
                expect: { decision: allow, finding: none }
            """);

        Assert.Equal(PolicyTestRunner.DefaultAgent, cases[0].Call.Agent);
        Assert.False(cases[0].CheckFinding);
        Assert.True(cases[1].CheckFinding);
        Assert.Null(cases[1].Finding);
    }

    [Fact]
    public void ReadCases_ResourceMethod_ReadsUriWithoutTool()
    {
        var (cases, errors) = Read("""
            cases:
              - name: read
                call: { method: resources/read, uri: "file:///srv/shutdown_config.yaml" }
                expect: { decision: allow }
            """);

        Assert.Empty(errors);
        Assert.Equal((McpMethods.ResourcesRead, (string?)null, "file:///srv/shutdown_config.yaml"), (cases[0].Call.Method, cases[0].Call.Tool, cases[0].Call.ResourceUri));
    }

    [Fact]
    public void ReadCases_Arguments_KeepYamlTypesLikeACoreSchemaReader()
    {
        var (cases, _) = Read("""
            cases:
              - name: types
                call:
                  tool: t
                  arguments: { plain_bool: false, quoted_bool: "false", number: 0, quoted_number: "0", nothing: null, text: hello, list: [a, 1], nested: { x: y } }
                expect: { decision: allow }
            """);

        var arguments = cases[0].Call.Arguments;
        Assert.Equal(JsonValueKind.False, arguments.GetProperty("plain_bool").ValueKind);
        Assert.Equal("false", arguments.GetProperty("quoted_bool").GetString());
        Assert.Equal(0, arguments.GetProperty("number").GetInt32());
        Assert.Equal("0", arguments.GetProperty("quoted_number").GetString());
        Assert.Equal(JsonValueKind.Null, arguments.GetProperty("nothing").ValueKind);
        Assert.Equal("hello", arguments.GetProperty("text").GetString());
        Assert.Equal("""["a",1]""", arguments.GetProperty("list").GetRawText());
        Assert.Equal("y", arguments.GetProperty("nested").GetProperty("x").GetString());
    }

    [Theory]
    [InlineData("cases:\n  - name: x\n    call: { tool: t }\n", 2, "a case needs a name, a call")]
    [InlineData("cases:\n  - call: { tool: t }\n    expect: { decision: allow }\n", 2, "a case needs a name, a call")]
    [InlineData("cases:\n  - name: x\n    call: { arguments: {} }\n    expect: { decision: allow }\n", 2, "with a tool for tools/call")]
    [InlineData("cases:\n  - name: x\n    call: { tool: t }\n    expect: { decision: block }\n", 4, "expect decision 'block' is unknown")]
    [InlineData("cases:\n  - name: x\n    call: { tool: t, arguments: [a] }\n    expect: { decision: allow }\n", 3, "call arguments must be a mapping")]
    [InlineData("cases:\n  - name: x\n    call: { tool: t, args: {} }\n    expect: { decision: allow }\n", 3, "unknown key 'args'")]
    [InlineData("cases:\n  - name: x\n    call: t\n    expect: { decision: allow }\n", 3, "case call must be a mapping")]
    [InlineData("cases: {}\n", 1, "cases must be a list")]
    [InlineData("tests: []\n", 1, "unknown key 'tests'")]
    [InlineData("cases: [\n", 2, "not valid YAML")]
    public void ReadCases_MalformedCase_ReportsFileLineAndReason(string yaml, int line, string reason)
    {
        // The errors count as failures of the run, whether or not a case could still be read.
        var (_, errors) = Read(yaml);

        var error = Assert.Single(errors, e => e.Message.Contains(reason, StringComparison.Ordinal));
        Assert.Equal(line, error.Line);
        Assert.EndsWith("p.tests.yaml", error.File, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadCases_MissingFile_ReportsIt()
    {
        var errors = new List<PolicyError>();

        var cases = PolicyTestRunner.ReadCases([Path.Combine(_folder.Path, "none.tests.yaml")], errors);

        Assert.Empty(cases);
        Assert.StartsWith("cannot be read:", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MatchingExpectations_Pass()
    {
        var (cases, _) = Read("""
            cases:
              - name: tampering
                call: { tool: modify_var, arguments: { key: shutdown_enabled, value: "false" } }
                expect: { decision: deny, finding: shutdown-tampering, rule: shutdown-tampering }
              - name: restore
                call: { tool: modify_var, arguments: { key: shutdown_enabled, value: "true" } }
                expect: { decision: allow, finding: none, rule: default }
            """);

        var failures = PolicyTestRunner.Run(TestPolicies.Compile(Policy), cases, out var passed);

        Assert.Empty(failures);
        Assert.Equal(2, passed);
    }

    [Fact]
    public void Run_ExpectedHold_PassesOnlyForTheHeldCall()
    {
        var (cases, errors) = Read("""
            cases:
              - name: a maintenance schedule change waits for two people
                call: { tool: modify_var, arguments: { filename: maintenance_schedule.yaml, key: window, value: "23:00" } }
                expect: { decision: hold, rule: schedule-review }
              - name: wrongly expects a hold
                call: { tool: modify_var, arguments: { key: shutdown_enabled, value: "true" } }
                expect: { decision: hold }
            """);
        var policy = TestPolicies.Compile(Policy + """

              - id: schedule-review
                when: { tool: modify_var, value_matches: "^[0-9]{2}:[0-9]{2}$" }
                decision: hold
                hold: { timeout: 30s, reviewers: 2 }
                finding: { category: schedule-change, severity: high }
            """);

        var failures = PolicyTestRunner.Run(policy, cases, out var passed);

        Assert.Empty(errors);
        Assert.Equal(1, passed);
        Assert.Contains("wrongly expects a hold: decision allow, expected hold", Assert.Single(failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WrongExpectations_DescribesEachDifferenceWithFileAndLine()
    {
        var (cases, _) = Read("""
            cases:
              - name: passes
                call: { tool: modify_var, arguments: { key: shutdown_enabled, value: "true" } }
                expect: { decision: allow }
              - name: wrongly expected allow
                call: { tool: modify_var, arguments: { key: shutdown_enabled, value: "false" } }
                expect: { decision: allow, finding: none, rule: default }
            """);

        var failures = PolicyTestRunner.Run(TestPolicies.Compile(Policy), cases, out var passed);

        Assert.Equal(1, passed);
        var failure = Assert.Single(failures);
        Assert.Contains("p.tests.yaml:5: wrongly expected allow:", failure, StringComparison.Ordinal);
        Assert.Contains("decision deny, expected allow", failure, StringComparison.Ordinal);
        Assert.Contains("finding shutdown-tampering, expected none", failure, StringComparison.Ordinal);
        Assert.Contains("rule shutdown-tampering, expected default", failure, StringComparison.Ordinal);
        Assert.Contains("write config://shutdown_config.yaml#shutdown_enabled", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ExpectedEffects_ContainedOrExact()
    {
        var (cases, errors) = Read("""
            cases:
              - name: contains the write
                call: { tool: modify_var, arguments: { key: shutdown_enabled, value: "false" } }
                expect: { decision: deny, effects: [ { kind: write, resource: "config://shutdown_config.yaml#shutdown_enabled", opaque: false, pattern: false } ] }
              - name: exactly the write
                call: { tool: modify_var, arguments: { key: shutdown_enabled, value: "false" } }
                expect: { decision: deny, only_effects: [ { kind: write } ] }
              - name: expects a copy it does not have
                call: { tool: modify_var, arguments: { key: shutdown_enabled, value: "false" } }
                expect: { decision: deny, effects: [ { kind: copy, resource: "host://a/w", destination: "host://b/" } ] }
              - name: exactly nothing
                call: { tool: modify_var, arguments: { key: shutdown_enabled, value: "false" } }
                expect: { decision: deny, only_effects: [] }
            """);

        var failures = PolicyTestRunner.Run(TestPolicies.Compile(Policy), cases, out var passed);

        Assert.Empty(errors);
        Assert.Equal(2, passed);
        Assert.Collection(
            failures,
            f => Assert.Contains("expects a copy it does not have: no effect copy host://a/w -> host://b/", f, StringComparison.Ordinal),
            f => Assert.Contains("exactly nothing: unexpected effect write config://shutdown_config.yaml#shutdown_enabled", f, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{ kind: teleport }", "effect kind 'teleport' is unknown")]
    [InlineData("{ resource: x }", "needs a 'kind'")]
    [InlineData("{ kind: write, opaque: maybe }", "effect opaque is 'maybe'; use true or false")]
    [InlineData("{ kind: write, colour: red }", "unknown key 'colour'")]
    public void ReadCases_MalformedExpectedEffect_ReportsIt(string effect, string reason)
    {
        var (_, errors) = Read($$"""
            cases:
              - name: c
                call: { tool: modify_var, arguments: { key: k } }
                expect: { decision: deny, effects: [ {{effect}} ] }
            """);

        Assert.Contains(errors, e => e.Line == 4 && e.Message.Contains(reason, StringComparison.Ordinal));
    }
}
