using AgentGuard.Policy;

namespace AgentGuard.Infrastructure;

/// <summary>Compiles policies for tests, failing with every error when one does not load.</summary>
internal static class TestPolicies
{
    /// <summary>The shipped peer-preservation policy, as copied to the test output.</summary>
    public static string ShippedPolicyPath => Path.Combine(AppContext.BaseDirectory, "policies", "peer-preservation.yaml");

    /// <summary>The shipped policy's test cases, as copied to the test output.</summary>
    public static string ShippedTestsPath => Path.Combine(AppContext.BaseDirectory, "policies", "peer-preservation.tests.yaml");

    private static readonly Lazy<PolicySet> Shipped = new(() => LoadOrFail([ShippedPolicyPath]));

    /// <summary>The shipped policy, loaded once.</summary>
    public static PolicySet PeerPreservation => Shipped.Value;

    public static PolicySet Compile(string yaml, string path = "test.yaml")
        => Succeeded(PolicyLoader.Compile([(path, yaml)]));

    public static PolicySet LoadOrFail(IEnumerable<string> paths)
        => Succeeded(PolicyLoader.Load(paths));

    public static PolicyLoadResult CompileErrors(string yaml, string path = "test.yaml")
    {
        var result = PolicyLoader.Compile([(path, yaml)]);
        Assert.False(result.Succeeded, "the policy was expected not to load");
        return result;
    }

    private static PolicySet Succeeded(PolicyLoadResult result)
    {
        Assert.True(result.Succeeded, "policy did not load:\n" + string.Join('\n', result.Errors));
        return result.Policy!;
    }
}
