using System.Text.Json;
using AgentGuard.Infrastructure;
using AgentGuard.Protocols;

namespace AgentGuard.Policy;

/// <summary>A rule's <c>decision: hold</c> and <c>hold: { timeout, reviewers }</c>: read, validated with the fix, and decided with their precedence.</summary>
public class HoldTermsReaderTests
{
    private const string Header = """
        version: 1
        assets:
          shutdown-control:
            resources: ["**/shutdown_config.yaml{,#**}"]
        tools:
          modify_var:
            - { kind: write, resource: "config://shutdown_config.yaml#{key}", value: "{value}" }
        rules:
        """;

    private static string Rule(string decision, string? hold = null, string finding = "finding: { category: shutdown-change, severity: high }")
        => Header + $"""

              - id: r1
                when: {"{"} tool: modify_var {"}"}
                decision: {decision}
                {finding}
            """ + (hold is null ? string.Empty : "\n    hold: " + hold);

    private static PolicyError AssertError(string yaml, string contains)
    {
        var result = TestPolicies.CompileErrors(yaml);
        Assert.False(result.Succeeded);
        return Assert.Single(result.Errors, e => e.Message.Contains(contains, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_TimeoutAndReviewers_OnTheRuleAndItsDecision()
    {
        var policy = TestPolicies.Compile(Rule("hold", "{ timeout: 30s, reviewers: 2 }"));

        Assert.Equal(new HoldTerms(TimeSpan.FromSeconds(30), 2), policy.Rules[0].Hold);
        var decision = PolicyEngine.Decide(policy, Call("modify_var", """{"key":"shutdown_enabled","value":"false"}"""));
        Assert.Equal(DecisionKind.Hold, decision.Kind);
        Assert.True(decision.IsHeld);
        Assert.False(decision.IsDenied);
        Assert.Equal(2, decision.Hold!.Reviewers);
    }

    [Theory]
    [InlineData("{ timeout: 2m }", 120)]
    [InlineData("{ timeout: 1500ms }", 1.5)]
    [InlineData("{ timeout: 45 }", 45)]
    public void Read_TimeoutUnits_Seconds(string hold, double seconds)
        => Assert.Equal(TimeSpan.FromSeconds(seconds), TestPolicies.Compile(Rule("hold", hold)).Rules[0].Hold!.Timeout);

    [Fact]
    public void Read_HoldWithoutTerms_DefaultTimeoutAndOneReviewer()
        => Assert.Equal(HoldTerms.Default, TestPolicies.Compile(Rule("hold")).Rules[0].Hold);

    [Theory]
    [InlineData("{ timeout: 0s }", "hold timeout is '0s'; use a duration from 1s to 30m")]
    [InlineData("{ timeout: 31m }", "hold timeout is '31m'; use a duration from 1s to 30m")]
    [InlineData("{ timeout: soon }", "hold timeout is 'soon'")]
    [InlineData("{ timeout: -5s }", "hold timeout is '-5s'")]
    [InlineData("{ reviewers: 3 }", "hold reviewers is '3'; use 1, or 2")]
    [InlineData("{ reviewers: 0 }", "hold reviewers is '0'")]
    [InlineData("{ reviewers: two }", "hold reviewers is 'two'")]
    [InlineData("{ timeout: 30s, quorum: 2 }", "quorum")]
    [InlineData("30s", "hold must be a mapping, e.g. { timeout: 30s, reviewers: 2 }")]
    public void Read_MalformedTerms_ErrorWithTheFix(string hold, string message)
        => Assert.Equal(13, AssertError(Rule("hold", hold), message).Line);

    [Fact]
    public void Read_TermsOnARuleThatDenies_Error()
        => AssertError(Rule("deny", "{ timeout: 30s }"), "rule 'r1' has 'hold' terms but decides deny; use 'decision: hold' or remove 'hold'");

    [Fact]
    public void Read_HoldWithoutFinding_Error()
        => AssertError(Rule("hold", finding: string.Empty), "rule 'r1' denies, holds or flags, so it needs a 'finding'");

    [Fact]
    public void Read_HoldAsPolicyDefault_ErrorSaysRulesOnly()
        => AssertError(Header.Replace("version: 1", "version: 1\ndefault: hold", StringComparison.Ordinal) + "  []", "default 'hold' is for rules only");

    [Fact]
    public void Decide_DenyAndHoldBothMatch_DenyWins_HoldOverFlag()
    {
        var policy = TestPolicies.Compile(Header + """

              - id: held
                when: { tool: modify_var }
                decision: hold
                finding: { category: config-change, severity: low }
              - id: flagged
                when: { tool: modify_var }
                decision: flag
                finding: { category: config-change, severity: critical }
              - id: tampering
                when: { kind: write, asset: shutdown-control, value_in: ["false"] }
                decision: deny
                finding: { category: shutdown-tampering, severity: critical }
            """);

        Assert.Equal(("tampering", DecisionKind.Deny), Kind(policy, """{"key":"shutdown_enabled","value":"false"}"""));
        Assert.Equal(("held", DecisionKind.Hold), Kind(policy, """{"key":"shutdown_enabled","value":"true"}"""));

        static (string, DecisionKind) Kind(PolicySet policy, string arguments)
            => PolicyEngine.Decide(policy, Call("modify_var", arguments)) is var d ? (d.RuleId, d.Kind) : default;
    }

    private static ToolCall Call(string tool, string argumentsJson)
        => new(new Agent("a", "agent"), null, "mcp", McpMethods.ToolsCall, tool, JsonDocument.Parse(argumentsJson).RootElement);
}
