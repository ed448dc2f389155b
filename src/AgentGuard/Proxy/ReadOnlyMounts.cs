using System.Text;

namespace AgentGuard.Proxy;

/// <summary>
/// The read-only mounts, from <c>/proc/self/mountinfo</c>: nobody writes a folder there, whatever its
/// mode says (a Kubernetes ConfigMap volume is 0777 under a read-only mount).
/// </summary>
internal sealed class ReadOnlyMounts
{
    private readonly List<(string MountPoint, bool ReadOnly)> _mounts;

    internal ReadOnlyMounts(List<(string MountPoint, bool ReadOnly)> mounts) => _mounts = mounts;

    /// <summary>The mounts of the running process (none known where there is no <c>/proc</c>).</summary>
    public static ReadOnlyMounts Current()
    {
        try
        {
            return Parse(File.ReadAllText("/proc/self/mountinfo"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ReadOnlyMounts([]);
        }
    }

    /// <summary>Reads mountinfo text: <c>id parent major:minor root mount-point options ... - type source super-options</c>.</summary>
    public static ReadOnlyMounts Parse(string mountinfo)
    {
        var mounts = new List<(string, bool)>();
        foreach (var line in mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 6 || separator < 6)
            {
                continue;
            }

            var readOnly = HasReadOnly(fields[5]) || (separator + 3 < fields.Length && HasReadOnly(fields[separator + 3]));
            mounts.Add((Unescape(fields[4]), readOnly));
        }

        return new ReadOnlyMounts(mounts);
    }

    /// <summary>Whether <paramref name="path"/> (absolute, symlinks resolved) is on a read-only mount.</summary>
    public bool Contains(string path)
    {
        // The last listed mount that covers the path is the one on top.
        var readOnly = false;
        var longest = -1;
        foreach (var (mountPoint, ro) in _mounts)
        {
            var covers = mountPoint == "/" || path == mountPoint || path.StartsWith(mountPoint + "/", StringComparison.Ordinal);
            if (covers && mountPoint.Length >= longest)
            {
                longest = mountPoint.Length;
                readOnly = ro;
            }
        }

        return readOnly;
    }

    private static bool HasReadOnly(string options) => Array.IndexOf(options.Split(','), "ro") >= 0;

    // Mount points escape space, tab, newline and backslash as \040 \011 \012 \134.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field[(i + 1)..(i + 4)].All(char.IsAsciiDigit))
            {
                text.Append((char)Convert.ToInt32(field[(i + 1)..(i + 4)], 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }
}
