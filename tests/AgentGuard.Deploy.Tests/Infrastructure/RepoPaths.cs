namespace AgentGuard.Deploy.Infrastructure;

/// <summary>
/// Paths in the repository. The root is the nearest folder above the test's base directory that
/// holds AgentGuard.sln, so the tests read deploy/ where it is, not a copy.
/// </summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Deploy => Path.Combine(Root, "deploy");

    public static string Kubernetes => Path.Combine(Root, "deploy", "kubernetes");

    public static string Compose => Path.Combine(Root, "deploy", "compose");

    /// <summary>A path under the root, from '/'-separated parts.</summary>
    public static string Of(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>The path relative to the root, '/'-separated, for messages and test case names.</summary>
    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/');

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgentGuard.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds AgentGuard.sln.");
    }
}
