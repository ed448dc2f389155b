namespace AgentGuard.Policy;

/// <summary>Finds policy and policy-test files under the paths a user gives.</summary>
public static class PolicyFiles
{
    /// <summary>Whether <paramref name="path"/> names a policy test file (<c>*.tests.yaml</c>).</summary>
    public static bool IsTestFile(string path)
        => path.EndsWith(".tests.yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tests.yml", StringComparison.OrdinalIgnoreCase);

    /// <summary>The YAML files under <paramref name="paths"/> (files as given, folders searched recursively), in a stable order.</summary>
    /// <param name="paths">Files or folders.</param>
    /// <param name="tests">Whether to return test files rather than policy files.</param>
    /// <param name="missing">Receives the paths that do not exist.</param>
    public static List<string> Find(IEnumerable<string> paths, bool tests, List<string> missing)
    {
        var found = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                if (IsTestFile(path) == tests)
                {
                    found.Add(Path.GetFullPath(path));
                }
            }
            else if (Directory.Exists(path))
            {
                var files = new List<string>();
                foreach (var file in Directory.EnumerateFiles(path, "*.*", SearchOption.AllDirectories))
                {
                    // Hidden entries are skipped: a Kubernetes ConfigMap volume holds every file
                    // three times (FILE, ..data/FILE, ..2026_11_23.../FILE) and only FILE is meant.
                    if (IsHidden(Path.GetRelativePath(path, file)))
                    {
                        continue;
                    }

                    if ((file.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                        && IsTestFile(file) == tests)
                    {
                        files.Add(Path.GetFullPath(file));
                    }
                }

                files.Sort(StringComparer.Ordinal);
                found.AddRange(files);
            }
            else
            {
                missing.Add(path);
            }
        }

        return found;
    }

    /// <summary>
    /// <paramref name="path"/> with every symlink along it resolved (what <c>realpath</c> returns), or
    /// <see langword="null"/> when a link cannot be read or links loop; components that do not exist stay as named.
    /// </summary>
    public static string? RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            return full;
        }

        var pending = new Stack<string>();
        Push(pending, full);
        var current = "/";
        for (var hops = 0; pending.TryPop(out var part);)
        {
            var next = Path.Join(current, part);
            string? link;
            try
            {
                link = new FileInfo(next).LinkTarget;
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }

            if (link is null)
            {
                current = next;
                continue;
            }

            if (++hops > 40)
            {
                return null;
            }

            // The target replaces this component: resolve it again from the root.
            Push(pending, Path.GetFullPath(link, current));
            current = "/";
        }

        return current;

        static void Push(Stack<string> pending, string absolute)
        {
            var parts = absolute.Split('/', StringSplitOptions.RemoveEmptyEntries);
            for (var i = parts.Length - 1; i >= 0; i--)
            {
                pending.Push(parts[i]);
            }
        }
    }

    private static bool IsHidden(string relativePath)
    {
        foreach (var segment in relativePath.Split(Path.DirectorySeparatorChar))
        {
            if (segment.StartsWith('.'))
            {
                return true;
            }
        }

        return false;
    }
}
