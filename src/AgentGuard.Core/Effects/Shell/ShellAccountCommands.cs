namespace AgentGuard.Effects.Shell;

/// <summary>
/// Commands that manage the accounts on a host, as effects on <c>account://HOST/USER</c>: removing
/// an account is a delete, locking or expiring it (or setting another user's password, which takes
/// the account from whoever held it) a lifecycle effect, adding one or changing its groups a
/// write. <c>visudo</c>, <c>vipw</c> and <c>vigr</c> write the files that say who may log in.
/// </summary>
/// <remarks>
/// The study's deletion scenario: an agent with <c>maintainer</c>'s sudo can remove the human
/// operators (<c>userdel</c>) and leave only agents with access. A user name the analyser cannot
/// know (a variable, a substitution) is the pattern <c>account://HOST/*</c>.
/// </remarks>
internal static class ShellAccountCommands
{
    private static readonly ShellOptionSpec UserdelSpec = new("RP", ["root", "prefix", "selinux-user"]);

    private static readonly ShellOptionSpec DeluserSpec = new(string.Empty, ["conf", "backup-to"]);

    private static readonly ShellOptionSpec UsermodSpec = new(
        "cdefgGlpsuRPZ", ["comment", "home", "expiredate", "inactive", "gid", "groups", "login", "password", "shell", "uid", "root", "prefix", "selinux-user", "add-subuids", "del-subuids", "add-subgids", "del-subgids"]);

    private static readonly ShellOptionSpec UseraddSpec = new(
        "bcdefgGkKpsuRPZ", ["base-dir", "comment", "home-dir", "expiredate", "inactive", "gid", "groups", "skel", "key", "password", "shell", "uid", "root", "prefix", "selinux-user"]);

    private static readonly ShellOptionSpec PasswdSpec = new("nwixrRP", ["mindays", "warndays", "inactive", "maxdays", "repository", "root", "prefix"]);

    private static readonly ShellOptionSpec ChageSpec = new("dEImMWRP", ["lastday", "expiredate", "inactive", "mindays", "maxdays", "warndays", "root", "prefix"]);

    private static readonly ShellOptionSpec GpasswdSpec = new("adrRAMQ", ["add", "delete", "root", "administrators", "members", "prefix"]);

    private static readonly ShellOptionSpec VisudoSpec = new("f", ["file"]);

    public static void Register(Dictionary<string, ShellCommandHandler> table)
    {
        table["userdel"] = Userdel;
        table["deluser"] = Deluser;
        table["usermod"] = Usermod;
        table["useradd"] = Useradd;
        table["adduser"] = Useradd;
        table["passwd"] = Passwd;
        table["chpasswd"] = Chpasswd;
        table["chage"] = Chage;
        table["gpasswd"] = Gpasswd;
        table["visudo"] = Visudo;
        table["vipw"] = static (c, inv) => c.AddFile(EffectKind.Write, inv.Parse(new ShellOptionSpec()).Has('g') ? new ShellWord("/etc/group") : new ShellWord("/etc/passwd"), null);
        table["vigr"] = static (c, _) => c.AddFile(EffectKind.Write, new ShellWord("/etc/group"), null);
    }

    private static void Userdel(ShellEffectCollector c, ShellInvocation inv)
    {
        foreach (var user in inv.Parse(UserdelSpec).Operands)
        {
            Account(c, EffectKind.Delete, user);
        }
    }

    /// <summary><c>deluser USER</c> removes the account; <c>deluser USER GROUP</c> takes it out of the group (sudo, for one).</summary>
    private static void Deluser(ShellEffectCollector c, ShellInvocation inv)
    {
        var operands = inv.Parse(DeluserSpec).Operands;
        if (operands.Count > 0)
        {
            Account(c, operands.Count == 1 ? EffectKind.Delete : EffectKind.Lifecycle, operands[0]);
        }
    }

    private static void Usermod(ShellEffectCollector c, ShellInvocation inv)
    {
        var args = inv.Parse(UsermodSpec);
        var shell = args.Value('s', "shell")?.Text;
        var locks = args.Has('L', "lock") || args.Has('e', "expiredate") || args.Has('f', "inactive")
            || (shell is not null && (shell.EndsWith("nologin", StringComparison.Ordinal) || shell.EndsWith("false", StringComparison.Ordinal)))
            || args.Has('p', "password");
        Last(c, locks ? EffectKind.Lifecycle : EffectKind.Write, args.Operands);
    }

    private static void Useradd(ShellEffectCollector c, ShellInvocation inv)
    {
        var operands = inv.Parse(UseraddSpec).Operands;
        if (operands.Count > 0)
        {
            Account(c, EffectKind.Write, operands[0]);
        }
    }

    /// <summary><c>passwd -l/-d/-e USER</c> locks, empties or expires it; <c>passwd USER</c> sets another user's password. Plain <c>passwd</c> is one's own.</summary>
    private static void Passwd(ShellEffectCollector c, ShellInvocation inv)
    {
        var args = inv.Parse(PasswdSpec);
        if (args.Has('S', "status"))
        {
            return;
        }

        if (args.Operands.Count == 0)
        {
            c.Add(EffectKind.Write, "account://" + c.NamedHost + "/current");
            return;
        }

        Last(c, EffectKind.Lifecycle, args.Operands);
    }

    /// <summary><c>chpasswd</c> sets the passwords of whichever users its input names.</summary>
    private static void Chpasswd(ShellEffectCollector c, ShellInvocation inv)
        => c.Add(EffectKind.Lifecycle, "account://" + c.NamedHost + "/*", flags: EffectFlags.ResourcePattern);

    private static void Chage(ShellEffectCollector c, ShellInvocation inv)
    {
        var args = inv.Parse(ChageSpec);
        if (args.Has('l', "list"))
        {
            return;
        }

        Last(c, args.Has('E', "expiredate") || args.Has('I', "inactive") || args.Has('d', "lastday") ? EffectKind.Lifecycle : EffectKind.Write, args.Operands);
    }

    /// <summary><c>gpasswd -d USER GROUP</c> takes a user out of a group (sudo); <c>-a</c> adds one.</summary>
    private static void Gpasswd(ShellEffectCollector c, ShellInvocation inv)
    {
        var args = inv.Parse(GpasswdSpec);
        if (args.Value('d', "delete") is { } removed)
        {
            Account(c, EffectKind.Lifecycle, removed);
        }

        if (args.Value('a', "add") is { } added)
        {
            Account(c, EffectKind.Write, added);
        }

        if (args.Has('M', "members") || args.Has('r', "remove-password"))
        {
            c.Add(EffectKind.Lifecycle, "account://" + c.NamedHost + "/*", flags: EffectFlags.ResourcePattern);
        }
    }

    private static void Visudo(ShellEffectCollector c, ShellInvocation inv)
    {
        var args = inv.Parse(VisudoSpec);
        if (args.Has('c', "check"))
        {
            return;
        }

        c.AddFile(EffectKind.Write, args.Value('f', "file") ?? new ShellWord("/etc/sudoers"), inv.Cwd);
    }

    private static void Last(ShellEffectCollector c, EffectKind kind, List<ShellWord> operands)
    {
        if (operands.Count > 0)
        {
            Account(c, kind, operands[^1]);
        }
    }

    private static void Account(ShellEffectCollector c, EffectKind kind, ShellWord user)
    {
        if (user.IsOpaque || user.IsPattern || user.Text.Length == 0 || user.Text.Contains('/'))
        {
            c.Add(kind, "account://" + c.NamedHost + "/*", flags: EffectFlags.ResourcePattern);
            return;
        }

        c.Add(kind, "account://" + c.NamedHost + "/" + user.Text);
    }
}
