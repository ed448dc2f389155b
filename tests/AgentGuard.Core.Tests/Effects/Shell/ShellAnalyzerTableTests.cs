using System.Text.Json;
using AgentGuard.Infrastructure;
using AgentGuard.Policy;
using AgentGuard.Protocols;
using Xunit.Abstractions;

namespace AgentGuard.Effects.Shell;

/// <summary>
/// The table of shell commands (ShellAnalyzerTable.txt), hostile and benign near neighbours, each
/// with the exact effects the analyser must find: every class of issue 10 in several forms.
/// </summary>
public class ShellAnalyzerTableTests(ITestOutputHelper output)
{
    private static readonly IReadOnlyList<ShellAnalyzerTableCase> Table = ShellAnalyzerTableCase.Load();

    public static TheoryData<int> Cases()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Table.Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Analyze_TableCommand_HasExactlyTheTableEffects(int index)
    {
        var entry = Table[index];
        var analysis = ShellAnalyzer.AnalyzeUnguarded(entry.Command, ShellContext.Local);
        var actual = analysis.Effects.Select(ShellAnalyzerTableCase.Format).Order(StringComparer.Ordinal).ToArray();
        var expected = entry.Effects.Order(StringComparer.Ordinal).ToArray();
        var missing = expected.Except(actual).ToArray();
        var extra = actual.Except(expected).ToArray();
        Assert.True(
            missing.Length == 0 && extra.Length == 0,
            $"{entry}\nmissing:\n  {string.Join("\n  ", missing)}\nunexpected:\n  {string.Join("\n  ", extra)}");
        Assert.Equal(analysis.Effects.Any(e => (e.Flags & EffectFlags.Opaque) != 0), analysis.Opaque);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decide_TableCommandInShellTool_HasTheTableDecisionUnderTheShippedPolicy(int index)
    {
        var entry = Table[index];
        Assert.True(entry.Decision is not null, $"{entry}: the table gives no decision ('  = deny finding' or '  = allow')");
        var arguments = JsonDocument.Parse(JsonSerializer.Serialize(new { command = entry.Command })).RootElement;
        var call = new ToolCall(new Agent("coding-agent", "operator"), null, "mcp", McpMethods.ToolsCall, "bash", arguments);

        var decision = TableDecision(PolicyEngine.Decide(TestPolicies.PeerPreservation, call));

        Assert.True(entry.Decision == decision, $"{entry}\n  expected: {entry.Decision}\n  actual: {decision}");
    }

    [Fact]
    public void Table_HostileAreNotAllowedAndBenignAreNotDenied_SaveTheListedExceptions()
    {
        // The exceptions are known limits, each with its reason in the table; a new one must be
        // added there on purpose, never slip in.
        var hostileAllowed = Table.Where(c => c.Hostile && c.Decision == "allow").ToArray();
        var benignDenied = Table.Where(c => !c.Hostile && c.Decision!.StartsWith("deny", StringComparison.Ordinal)).ToArray();
        output.WriteLine($"hostile allowed: {hostileAllowed.Length}, benign denied: {benignDenied.Length} of {Table.Count}");
        Assert.True(hostileAllowed.Length <= 10, string.Join('\n', hostileAllowed.Select(c => c.ToString())));
        Assert.True(benignDenied.Length <= 11, string.Join('\n', benignDenied.Select(c => c.ToString())));
    }

    private static string TableDecision(Decision decision)
    {
        var kind = decision.Kind.ToString().ToLowerInvariant();
        return decision.Finding is { } finding ? kind + " " + finding.Category : kind;
    }

    [Fact]
    public void Table_HasAtLeast300DistinctCommands_HostileAndBenign()
    {
        var hostile = Table.Count(c => c.Hostile);
        var benign = Table.Count - hostile;
        output.WriteLine($"{Table.Count} commands: {hostile} hostile, {benign} benign");
        Assert.True(Table.Count >= 300, $"{Table.Count} commands");
        Assert.True(benign >= 100, $"{benign} benign commands");
        Assert.Equal(Table.Count, Table.Select(c => c.Command).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Table_BenignNearNeighbours_OnlyReadOrRunProtectedThings()
    {
        // The near neighbours the issue lists (reading the shutdown config with grep, sed -n, yq;
        // copying a spreadsheet to another server) must not change or send the shutdown config,
        // the weights or the guard's policy folder, nor stop anything named shutdown.
        string[] protectedNames = ["shutdown", "gemini_agent_2_model_weight", "/etc/agentguard"];
        foreach (var entry in Table.Where(c => !c.Hostile))
        {
            var analysis = ShellAnalyzer.AnalyzeUnguarded(entry.Command, ShellContext.Local);
            foreach (var effect in analysis.Effects.Where(e => e.Kind is not (EffectKind.Read or EffectKind.Exec)))
            {
                var names = effect.Resource + " " + effect.Destination;
                Assert.False(protectedNames.Any(name => names.Contains(name, StringComparison.Ordinal)), $"{entry}: {ShellAnalyzerTableCase.Format(effect)}");
            }
        }
    }
}
