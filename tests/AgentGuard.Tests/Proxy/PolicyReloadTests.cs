using AgentGuard.Infrastructure;
using AgentGuard.Policy;
using Xunit.Abstractions;

namespace AgentGuard.Proxy;

/// <summary>Hot reload through the running guard: a valid edit takes effect; an invalid one is rejected and the last good version stays.</summary>
public sealed class PolicyReloadTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-reload-").FullName;

    private const string Call = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}""";

    [Fact]
    public async Task EditPolicyFile_Valid_TakesEffect_Invalid_LastGoodStays()
    {
        var file = Path.Combine(_folder, "policy.yaml");
        await File.WriteAllTextAsync(file, Policy("allow"));
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, [_folder]);
        var decisions = TestGuard.Collect(guard);
        using var http = new HttpClient();
        var endpoint = new Uri(guard.DataAddress, "/mcp");
        var firstVersion = guard.Policies.Current.Version;

        await Mcp.PostAsync(http, endpoint, Call);
        Assert.Equal(DecisionKind.Allow, decisions[^1].Decision.Kind);

        await File.WriteAllTextAsync(file, Policy("deny"));
        await Poll.UntilAsync(() => guard.Policies.Current.Version != firstVersion, "the edited policy to load");
        await Mcp.PostAsync(http, endpoint, Call);
        Assert.Equal(DecisionKind.Deny, decisions[^1].Decision.Kind);

        var goodVersion = guard.Policies.Current.Version;
        await File.WriteAllTextAsync(file, "rules: [ { id: broken, decision: maybe } ]");
        await Poll.UntilAsync(() => !guard.Policies.LastResult.Succeeded, "the invalid policy to be rejected");
        Assert.Equal(goodVersion, guard.Policies.Current.Version);
        await Mcp.PostAsync(http, endpoint, Call);
        Assert.Equal(DecisionKind.Deny, decisions[^1].Decision.Kind);
        Assert.Single(upstream.Received);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Policy(string decision) => $$"""
        rules:
          - id: echo
            when: { tool: echo }
            decision: {{decision}}
            finding: { category: test, severity: low }
        """;
}
