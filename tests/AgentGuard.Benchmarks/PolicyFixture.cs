using AgentGuard.Policy;

namespace AgentGuard.Benchmarks;

/// <summary>Loads the shipped policy that the build copies beside the benchmarks.</summary>
internal static class PolicyFixture
{
    /// <summary>The sidecar's agent, as <c>run --agent</c> would configure it.</summary>
    public static readonly Agent Agent = new("gemini-agent-1", "evaluator");

    public static PolicySet Load()
    {
        var folder = FindPolicies();
        var result = PolicyLoader.Load([folder]);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"policy in {folder} did not load: {string.Join("; ", result.Errors)}");
        }

        return result.Policy!;
    }

    private static string FindPolicies()
    {
        // BenchmarkDotNet runs each benchmark from a generated project in a sub-folder of the build
        // output, so look upwards for the copied policies folder.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "policies");
            if (File.Exists(Path.Combine(candidate, "peer-preservation.yaml")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"no policies/peer-preservation.yaml above {AppContext.BaseDirectory}");
    }
}
