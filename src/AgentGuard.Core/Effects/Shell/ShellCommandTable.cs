using System.Collections.Frozen;

namespace AgentGuard.Effects.Shell;

/// <summary>The analyser's command table: one handler per command name, built once.</summary>
internal static class ShellCommandTable
{
    private static readonly FrozenDictionary<string, ShellCommandHandler> Handlers = Build();

    public static bool TryGet(string name, out ShellCommandHandler handler) => Handlers.TryGetValue(name, out handler!);

    /// <summary>Every command name with a handler (for documentation and tests).</summary>
    public static IEnumerable<string> Names => Handlers.Keys;

    private static FrozenDictionary<string, ShellCommandHandler> Build()
    {
        var table = new Dictionary<string, ShellCommandHandler>(StringComparer.Ordinal);
        ShellFileCommands.Register(table);
        ShellReadCommands.Register(table);
        ShellArchiveCommands.Register(table);
        ShellTransferCommands.Register(table);
        ShellNetworkCommands.Register(table);
        ShellServiceCommands.Register(table);
        ShellInterpreters.Register(table);
        ShellWrappers.Register(table);
        ShellGitCommand.Register(table);
        ShellAccountCommands.Register(table);

        // Commands with no effect on files or services: known, so their operands are not read as paths.
        foreach (var name in (string[])["echo", "printf", "true", "false", ":", "cd", "pushd", "popd", "export", "unset", "set", "shopt", "local", "declare",
                     "typeset", "readonly", "alias", "unalias", "read", "sleep", "date", "whoami", "id", "hostname", "uname", "pwd", "which", "type", "hash",
                     "history", "jobs", "wait", "trap", "return", "exit", "break", "continue", "shift", "let", "expr", "seq", "yes", "clear", "env-update",
                     "basename", "dirname", "ps", "top", "htop", "free", "df", "uptime", "w", "who", "last", "ssh-agent", "ssh-keyscan", "ping", "dig", "nslookup",
                     "host", "ip", "ifconfig", "netstat", "ss", "lsof", "nproc", "lscpu", "lsblk", "getent", "printenv", "tput", "stty", "umask", "ulimit", "test", "[", "[["])
        {
            table.TryAdd(name, static (_, _) => { });
        }

        table["service"] = ShellServiceCommands.Service;
        return table.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
