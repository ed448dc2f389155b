namespace AgentGuard.Effects.Shell;

/// <summary>git: the subcommands that change files in the work tree, and the transfers to and from remotes.</summary>
internal static class ShellGitCommand
{
    private static readonly ShellOptionSpec GlobalSpec = new("Cc", ["git-dir", "work-tree", "namespace", "exec-path", "config-env"], StopAtOperand: true);
    private static readonly ShellOptionSpec SubSpec = new("mbBFSsUCo", ["message", "branch", "file", "source", "upload-pack", "depth", "origin", "template", "reference", "config", "pathspec-from-file", "exec", "receive-pack", "repo", "push-option"]);

    public static void Register(Dictionary<string, ShellCommandHandler> table) => table["git"] = Git;

    private static void Git(ShellEffectCollector c, ShellInvocation inv)
    {
        using var global = inv.Parse(GlobalSpec);
        var cwd = inv.Cwd;
        if (global.Value('C') is { } directory)
        {
            cwd = directory.Text.StartsWith('/') ? directory.Text : cwd is null ? null : cwd + "/" + directory.Text;
        }

        if (global.OperandStart >= inv.Words.Count)
        {
            return;
        }

        var verb = inv.Words[global.OperandStart].Text;
        using var args = ShellArguments.Parse(inv.Words, global.OperandStart + 1, SubSpec);
        var operands = args.Operands;
        switch (verb)
        {
            case "checkout" or "restore":
                var dashes = IndexOfDashes(inv, global.OperandStart + 1);
                // git checkout BRANCH switches to committed content; only named paths are written.
                var first = dashes >= 0 ? 0 : verb == "checkout" ? 1 : 0;
                if (dashes >= 0)
                {
                    first = operands.Count - (inv.Words.Count - dashes - 1);
                }

                for (var i = Math.Max(first, 0); i < operands.Count; i++)
                {
                    c.AddFile(EffectKind.Write, operands[i], cwd);
                }

                break;
            case "rm":
                var recursive = args.Has('r');
                foreach (var operand in operands)
                {
                    if (!args.Has("cached"))
                    {
                        c.AddFile(EffectKind.Delete, operand, cwd, recursive);
                    }
                }

                break;
            case "mv":
                if (operands.Count >= 2)
                {
                    var destination = c.File(operands[^1], cwd);
                    for (var i = 0; i < operands.Count - 1; i++)
                    {
                        ShellCopies.Add(c, EffectKind.Move, c.File(operands[i], cwd), destination, ShellCopies.LandingOf(operands.Count - 1, operands[^1].Text, false), recursive: true, freshTime: false);
                    }
                }

                break;
            case "clean" or "reset":
                if (args.Has('f') || args.Has("force") || args.Has("hard"))
                {
                    c.Add(EffectKind.Delete, ShellPaths.Resolve(c.Host, "**", pattern: true, opaque: false, cwd));
                }

                break;
            // A patch from outside may write any file under the work tree.
            case "apply" or "am":
                c.Add(EffectKind.Write, ShellPaths.Resolve(c.Host, "**", pattern: true, opaque: false, cwd));
                break;
            case "clone":
                if (operands.Count >= 1)
                {
                    var url = operands[0].Text;
                    var target = operands.Count >= 2 ? operands[1].Text : RepositoryName(url);
                    c.AddFile(EffectKind.Write, new ShellWord(target), cwd, recursive: true);
                    AddRemoteRead(c, operands[0], cwd);
                }

                break;
            case "push":
                if (operands.Count >= 1 && IsUrl(operands[0].Text))
                {
                    var tree = ShellPaths.Resolve(c.Host, "**", pattern: true, opaque: false, cwd);
                    c.Add(EffectKind.Egress, tree.Uri, Remote(c, operands[0], cwd), null, tree.AsResource);
                }

                break;
        }
    }

    private static int IndexOfDashes(ShellInvocation inv, int start)
    {
        for (var i = start; i < inv.Words.Count; i++)
        {
            if (inv.Words[i].Text == "--")
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsUrl(string text) => text.Contains("://", StringComparison.Ordinal) || (text.Contains(':') && text.Contains('@'));

    private static string Remote(ShellEffectCollector c, ShellWord word, string? cwd)
    {
        var resource = ShellTransferCommands.Operand(c, word, cwd, out _);
        return resource.Uri;
    }

    private static void AddRemoteRead(ShellEffectCollector c, ShellWord word, string? cwd)
    {
        var resource = ShellTransferCommands.Operand(c, word, cwd, out var remote);
        if (!remote)
        {
            c.Add(EffectKind.Read, resource);
            c.Add(EffectKind.Read, ShellPaths.Under(resource));
        }
    }

    private static string RepositoryName(string url)
    {
        var trimmed = url.TrimEnd('/');
        var slash = Math.Max(trimmed.LastIndexOf('/'), trimmed.LastIndexOf(':'));
        var name = slash < 0 ? trimmed : trimmed[(slash + 1)..];
        return name.EndsWith(".git", StringComparison.Ordinal) ? name[..^4] : name;
    }
}
