using System.IO.Enumeration;
using AgentGuard.Policy;

namespace AgentGuard.Proxy;

/// <summary>
/// Refuses a start in which someone other than the guard could write its policy or audit folders.
/// In a sidecar the agent and its tool server run as other users: one that can write the policy
/// folder rewrites the rules without a call through the guard, one that can write the audit folder
/// rewrites the record. The guard's own user and root may write; a read-only mount is never written.
/// </summary>
internal static class GuardFolderCheck
{
    /// <summary>Every policy path or audit folder that others can write, each as an error naming who and the fix; empty on Windows.</summary>
    public static List<string> Check(IEnumerable<string> policies, string? auditDirectory)
        => OperatingSystem.IsWindows() ? [] : Check(policies, auditDirectory, UnixAccounts.Current(), ReadOnlyMounts.Current());

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    internal static List<string> Check(IEnumerable<string> policies, string? auditDirectory, UnixAccounts accounts, ReadOnlyMounts mounts)
    {
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            CheckPath("AgentGuard:Policies", policy, accounts, mounts, errors, seen);
        }

        if (auditDirectory is { Length: > 0 })
        {
            CheckPath("AgentGuard:Audit:Directory", auditDirectory, accounts, mounts, errors, seen);
        }

        return errors;
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void CheckPath(string setting, string path, UnixAccounts accounts, ReadOnlyMounts mounts, List<string> errors, HashSet<string> seen)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var real = PolicyFiles.RealPath(full) ?? full;
        if (!Path.Exists(real))
        {
            return;
        }

        var folder = Directory.Exists(real);
        var given = $"{setting} '{path}'";
        Inspect(real, real == full ? given : $"'{real}' ({given})", ancestor: false, accounts, mounts, errors, seen);

        // A folder holds what it loads: every file and folder under it (new files load on the next reload).
        if (folder)
        {
            var everything = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
            var entries = new FileSystemEnumerable<string>(real, (ref FileSystemEntry entry) => entry.ToFullPath(), everything)
            {
                // A linked folder is checked where it leads, not walked (links can loop).
                ShouldRecursePredicate = (ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) == 0,
            };
            foreach (var entry in entries)
            {
                Inspect(entry, $"'{entry}' in {given}", ancestor: false, accounts, mounts, errors, seen);
            }
        }

        // Whoever can write a folder above can rename this one away and put another in its place;
        // a sticky folder (/tmp) lets nobody rename what is not theirs. Both the path as named
        // (a symlink can be swapped where it is) and where it leads.
        string[] chains = real == full ? [real] : [full, real];
        foreach (var start in chains)
        {
            for (var above = Path.GetDirectoryName(start); above is not null; above = Path.GetDirectoryName(above))
            {
                Inspect(above, $"'{above}', a folder above {given}", ancestor: true, accounts, mounts, errors, seen);
            }
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void Inspect(string path, string what, bool ancestor, UnixAccounts accounts, ReadOnlyMounts mounts, List<string> errors, HashSet<string> seen)
    {
        if (!seen.Add(path) || mounts.Contains(PolicyFiles.RealPath(path) ?? path) || UnixFileStatus.Of(path) is not { } status)
        {
            return;
        }

        var writers = new List<string>();
        if (status.Uid is { } uid && !accounts.IsTrusted(uid))
        {
            writers.Add("its owner, " + accounts.DescribeUser(uid));
        }

        var sticky = ancestor && (status.Mode & UnixFileMode.StickyBit) != 0;
        if (!sticky && (status.Mode & UnixFileMode.GroupWrite) != 0 && !(status.Gid is { } trustedGid && accounts.IsTrustedGroup(trustedGid)))
        {
            writers.Add("the members of " + (status.Gid is { } gid ? accounts.DescribeGroup(gid) : "its group"));
        }

        if (!sticky && (status.Mode & UnixFileMode.OtherWrite) != 0)
        {
            writers.Add("every user (it is world-writable)");
        }

        if (writers.Count > 0)
        {
            var owner = status.Uid is { } u ? accounts.DescribeUser(u) : "unknown";
            var group = status.Gid is { } g ? accounts.DescribeGroup(g) : "group unknown";
            var mode = Convert.ToString((int)status.Mode, 8).PadLeft(4, '0');
            errors.Add(
                $"{what}: owner {owner}, {group}, mode {mode}; writable by users other than the guard's ({accounts.DescribeUser(accounts.Uid)}): "
                + string.Join("; ", writers)
                + ". Make the guard's user or root its owner and take write access from group and others (chown, chmod go-w), or mount it read-only.");
        }
    }
}
