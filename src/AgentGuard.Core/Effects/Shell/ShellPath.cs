namespace AgentGuard.Effects.Shell;

/// <summary>Lexical path arithmetic for <c>cd</c>: joining and removing <c>.</c>, <c>..</c> and repeated slashes, without touching a file system.</summary>
internal static class ShellPath
{
    /// <summary>The absolute directory <paramref name="path"/> names from <paramref name="current"/>; null when it is relative and the current directory is unknown.</summary>
    public static string? Resolve(string? current, string path)
    {
        if (path.Length == 0)
        {
            return current;
        }

        if (path[0] == '/')
        {
            return Normalize(path);
        }

        return current is null ? null : Normalize(current + "/" + path);
    }

    /// <summary>Removes <c>.</c>, <c>..</c> and empty segments; keeps the leading slash of an absolute path.</summary>
    public static string Normalize(string path)
    {
        if (path.Length == 0)
        {
            return path;
        }

        if (IsNormal(path))
        {
            return path;
        }

        var absolute = path[0] == '/';
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0 && segments[^1] != "..")
                {
                    segments.RemoveAt(segments.Count - 1);
                }
                else if (!absolute)
                {
                    segments.Add(segment);
                }

                continue;
            }

            segments.Add(segment);
        }

        var joined = string.Join('/', segments);
        return absolute ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    /// <summary>Whether the path has no empty, <c>.</c> or <c>..</c> segment and no trailing slash (most do).</summary>
    private static bool IsNormal(string path)
    {
        if (path.Length > 1 && path[^1] == '/')
        {
            return false;
        }

        var start = path[0] == '/' ? 1 : 0;
        for (var i = start; i <= path.Length; i++)
        {
            if (i < path.Length && path[i] != '/')
            {
                continue;
            }

            var segment = path.AsSpan(start, i - start);
            if ((segment.IsEmpty && path.Length > 1) || segment is "." or "..")
            {
                return false;
            }

            start = i + 1;
        }

        return true;
    }
}
