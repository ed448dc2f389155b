using System.Globalization;
using System.Runtime.InteropServices;

namespace AgentGuard.Proxy;

/// <summary>
/// The guard's own user and groups, and who else the system's account database (<c>/etc/passwd</c>,
/// <c>/etc/group</c>) puts in a group: enough to say who can write a folder.
/// </summary>
internal sealed class UnixAccounts
{
    private readonly Dictionary<uint, string> _users = [];
    private readonly Dictionary<uint, string> _groups = [];
    private readonly Dictionary<uint, HashSet<uint>> _groupMembers = [];

    private UnixAccounts(uint uid, IReadOnlyCollection<uint> gids)
    {
        Uid = uid;
        Gids = gids;
    }

    /// <summary>The guard's effective user id.</summary>
    public uint Uid { get; }

    /// <summary>The guard's effective and supplementary group ids.</summary>
    public IReadOnlyCollection<uint> Gids { get; }

    /// <summary>The running process's identity and the system's account database.</summary>
    public static UnixAccounts Current()
    {
        var gids = new HashSet<uint> { GetEffectiveGroupId() };
        var count = GetGroups(0, null);
        if (count > 0)
        {
            var groups = new uint[count];
            count = GetGroups(count, groups);
            for (var i = 0; i < count; i++)
            {
                gids.Add(groups[i]);
            }
        }

        var accounts = new UnixAccounts(GetEffectiveUserId(), gids);
        var names = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (var fields in Entries("/etc/passwd"))
        {
            if (fields.Length > 3 && uint.TryParse(fields[2], CultureInfo.InvariantCulture, out var uid) && uint.TryParse(fields[3], CultureInfo.InvariantCulture, out var gid))
            {
                accounts._users.TryAdd(uid, fields[0]);
                names.TryAdd(fields[0], uid);
                accounts.Members(gid).Add(uid);
            }
        }

        foreach (var fields in Entries("/etc/group"))
        {
            if (fields.Length > 3 && uint.TryParse(fields[2], CultureInfo.InvariantCulture, out var gid))
            {
                accounts._groups.TryAdd(gid, fields[0]);
                foreach (var member in fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    // A member the user database does not know is someone else all the same.
                    accounts.Members(gid).Add(names.TryGetValue(member, out var uid) ? uid : uint.MaxValue);
                }
            }
        }

        return accounts;
    }

    /// <summary>Whether <paramref name="uid"/> is the guard's user or root (who can write anything anyway).</summary>
    public bool IsTrusted(uint uid) => uid == Uid || uid == 0;

    /// <summary>
    /// Whether only the guard (or root) is in group <paramref name="gid"/>: the group is root's or one
    /// of the guard's, and the account database puts nobody else in it.
    /// </summary>
    public bool IsTrustedGroup(uint gid)
        => (gid == 0 || Gids.Contains(gid)) && (!_groupMembers.TryGetValue(gid, out var members) || members.All(IsTrusted));

    /// <summary>"uid 1000 (alice)".</summary>
    public string DescribeUser(uint uid) => _users.TryGetValue(uid, out var name) ? $"uid {uid} ({name})" : $"uid {uid}";

    /// <summary>"group 1000 (staff: alice, bob)".</summary>
    public string DescribeGroup(uint gid)
    {
        var name = _groups.TryGetValue(gid, out var known) ? known : null;
        var members = _groupMembers.TryGetValue(gid, out var uids)
            ? string.Join(", ", uids.Order().Select(u => u == uint.MaxValue ? "an unknown user" : _users.GetValueOrDefault(u, "uid " + u)))
            : "";
        return (name, members) switch
        {
            (null, "") => $"group {gid}",
            (null, _) => $"group {gid} ({members})",
            (_, "") => $"group {gid} ({name})",
            _ => $"group {gid} ({name}: {members})",
        };
    }

    private HashSet<uint> Members(uint gid)
    {
        if (!_groupMembers.TryGetValue(gid, out var members))
        {
            _groupMembers[gid] = members = [];
        }

        return members;
    }

    private static IEnumerable<string[]> Entries(string file)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var line in lines)
        {
            if (line.Length > 0 && line[0] != '#')
            {
                yield return line.Split(':');
            }
        }
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

    [DllImport("libc", EntryPoint = "getegid")]
    private static extern uint GetEffectiveGroupId();

    [DllImport("libc", EntryPoint = "getgroups", SetLastError = true)]
    private static extern int GetGroups(int size, uint[]? list);
}
