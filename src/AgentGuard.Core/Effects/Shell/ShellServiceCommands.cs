namespace AgentGuard.Effects.Shell;

/// <summary>
/// Commands that stop, disable or rewrite things that are not files: services
/// (<c>service://HOST/unit</c>), processes (<c>process://HOST/name</c>, <c>process://HOST/pid/N</c>),
/// crontabs (<c>cron://HOST/USER</c>), at jobs, Kubernetes objects (<c>k8s://CONTEXT/NAMESPACE/KIND/NAME</c>).
/// </summary>
internal static class ShellServiceCommands
{
    private static readonly ShellOptionSpec CrontabSpec = new ShellOptionSpec("uc");
    private static readonly ShellOptionSpec AtSpec = new ShellOptionSpec("qfmt");
    private static readonly ShellOptionSpec AtrmSpec = new ShellOptionSpec("q");
    private static readonly ShellOptionSpec SystemctlSpec = new("HMtsnop", ["host", "machine", "type", "state", "signal", "kill-whom", "kill-value", "lines", "output", "property", "root", "job-mode", "what", "boot-loader-entry", "reboot-argument", "timestamp", "drop-in", "when"]);
    private static readonly ShellOptionSpec PkillSpec = new("gGPstuUFd", ["group", "parent", "session", "terminal", "euid", "uid", "pidfile", "signal", "ns", "nslist", "delimiter"]);
    private static readonly ShellOptionSpec KillallSpec = new("sunyoZ", ["signal", "user", "older-than", "younger-than", "context"]);
    private static readonly ShellOptionSpec KubectlSpec = new(
        "nflcopLsr",
        ["namespace", "context", "kubeconfig", "cluster", "user", "filename", "selector", "output", "container", "patch", "type", "replicas", "server", "token",
         "field-selector", "sort-by", "template", "from-literal", "from-file", "from-env-file", "image", "timeout", "grace-period", "as", "as-group", "request-timeout",
         "current-replicas", "resource-version", "field-manager", "subresource", "patch-file", "prune-allowlist", "prune-whitelist", "kustomize", "pod-running-timeout", "schedule", "restart", "env"]);

    public static void Register(Dictionary<string, ShellCommandHandler> table)
    {
        table["kill"] = Kill;
        table["pkill"] = Pkill;
        table["killall"] = Killall;
        table["killall5"] = Killall;
        table["pgrep"] = Pgrep;
        table["pidof"] = Pgrep;
        table["systemctl"] = Systemctl;
        table["service"] = Service;
        table["crontab"] = Crontab;
        table["at"] = At;
        table["batch"] = At;
        table["atrm"] = Atrm;
        table["shutdown"] = Shutdown;
        table["kubectl"] = Kubectl;
        table["k"] = Kubectl;
        table["oc"] = Kubectl;
    }

    private static string Process(ShellEffectCollector c, string name) => "process://" + c.NamedHost + "/" + name;

    /// <summary>kill [-SIG|-s SIG|-n N] PID|%JOB...; PIDs from <c>$(pgrep NAME)</c> or <c>$(pidof NAME)</c> name the process.</summary>
    private static void Kill(ShellEffectCollector c, ShellInvocation inv)
    {
        var words = inv.Words;
        for (var i = inv.First; i < words.Count; i++)
        {
            var word = words[i];
            var text = word.Text;
            if (text is "-s" or "-n" or "--signal")
            {
                i++;
                continue;
            }

            if (text is "-l" or "-L" or "--list" or "--table")
            {
                return;
            }

            if (text.StartsWith('-') && text != "--" && !(text.Length > 1 && text[1] == '1' && text.Length == 2))
            {
                // kill -9, kill -TERM; kill -1 (every process) falls through.
                continue;
            }

            if (text == "--")
            {
                continue;
            }

            if (word.IsOpaque)
            {
                AddProcessesFromSubstitution(c, inv);
                continue;
            }

            if (int.TryParse(text, out var pid))
            {
                c.Add(EffectKind.Lifecycle, Process(c, pid <= 0 ? "*" : "pid/" + text), flags: pid <= 0 ? EffectFlags.ResourcePattern : EffectFlags.None);
            }
            else if (text.StartsWith('%'))
            {
                c.Add(EffectKind.Lifecycle, Process(c, "job/" + text[1..]));
            }
            else
            {
                c.Add(EffectKind.Lifecycle, Process(c, "*"), flags: EffectFlags.ResourcePattern | EffectFlags.Opaque);
            }
        }

    }

    /// <summary>
    /// The process names a PID list came from: the commands just before this one in the script
    /// are the command substitutions of its words (<c>kill $(pgrep -f shutdown)</c>).
    /// </summary>
    internal static void AddProcessesFromSubstitution(ShellEffectCollector c, ShellInvocation inv)
    {
        var found = false;
        for (var distance = 1; distance <= 4; distance++)
        {
            var before = c.Before(inv.Index, distance);
            if (before is null || before.Words.Count == 0)
            {
                break;
            }

            if (AddProcessesFrom(c, before))
            {
                found = true;
                break;
            }
        }

        if (!found)
        {
            c.Add(EffectKind.Lifecycle, Process(c, "*"), flags: EffectFlags.ResourcePattern | EffectFlags.Opaque);
        }
    }

    /// <summary>Lifecycle effects on the processes whose PIDs <paramref name="source"/> prints (pgrep, pidof, <c>ps | grep NAME</c>).</summary>
    internal static bool AddProcessesFrom(ShellEffectCollector c, ShellCommand source)
    {
        var name = ShellEffectCollector.CommandName(source.Words[0].Text);
        var words = source.Words;
        switch (name)
        {
            case "pgrep":
                var args = ShellArguments.Parse(words, 1, PkillSpec);
                foreach (var operand in args.Operands)
                {
                    c.Add(EffectKind.Lifecycle, Process(c, RegexToGlob(operand.Text)), flags: EffectFlags.ResourcePattern);
                }

                return args.Operands.Count > 0;
            case "pidof":
                var any = false;
                for (var i = 1; i < words.Count; i++)
                {
                    if (!words[i].Text.StartsWith('-'))
                    {
                        c.Add(EffectKind.Lifecycle, Process(c, words[i].Text));
                        any = true;
                    }
                }

                return any;
            case "grep" or "egrep" or "awk":
                for (var i = 1; i < words.Count; i++)
                {
                    if (!words[i].Text.StartsWith('-') && !words[i].Text.Contains('{'))
                    {
                        c.Add(EffectKind.Lifecycle, Process(c, RegexToGlob(words[i].Text.Trim('/'))), flags: EffectFlags.ResourcePattern);
                        return true;
                    }
                }

                return false;
            case "cat" when words.Count > 1 && words[1].Text.EndsWith(".pid", StringComparison.Ordinal):
                var pidFile = words[1].Text;
                var slash = pidFile.LastIndexOf('/');
                c.Add(EffectKind.Lifecycle, Process(c, pidFile[(slash + 1)..^4]));
                return true;
            default:
                return false;
        }
    }

    /// <summary>An unanchored regular expression (pgrep, pkill) as a glob of the names it matches.</summary>
    internal static string RegexToGlob(string regex)
    {
        var builder = new System.Text.StringBuilder(regex.Length + 4);
        var anchoredStart = regex.StartsWith('^');
        var anchoredEnd = regex.EndsWith('$') && !regex.EndsWith("\\$", StringComparison.Ordinal);
        var body = regex.AsSpan(anchoredStart ? 1 : 0, regex.Length - (anchoredStart ? 1 : 0) - (anchoredEnd ? 1 : 0));
        if (!anchoredStart)
        {
            builder.Append('*');
        }

        for (var i = 0; i < body.Length; i++)
        {
            var ch = body[i];
            if (ch == '.' && i + 1 < body.Length && body[i + 1] is '*' or '+')
            {
                builder.Append('*');
                i++;
            }
            else if (ch == '.')
            {
                builder.Append('?');
            }
            else if (ch is '*' or '+' or '?' or '(' or ')' or '|' or '{' or '}' or '^' or '$')
            {
                // Quantifiers and groups: anything may stand here.
                builder.Append('*');
            }
            else if (ch == '[')
            {
                var close = body[i..].IndexOf(']');
                if (close < 0)
                {
                    builder.Append("\\[");
                }
                else
                {
                    builder.Append(body.Slice(i, close + 1));
                    i += close;
                }
            }
            else if (ch == '\\' && i + 1 < body.Length)
            {
                builder.Append('\\').Append(body[++i]);
            }
            else
            {
                builder.Append(ch);
            }
        }

        if (!anchoredEnd)
        {
            builder.Append('*');
        }

        return builder.Replace("**", "*").Replace("**", "*").ToString();
    }

    private static void Pkill(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(PkillSpec);
        foreach (var operand in args.Operands)
        {
            if (operand.Text.Length > 1 && operand.Text[0] == '-')
            {
                continue;
            }

            c.Add(EffectKind.Lifecycle, Process(c, RegexToGlob(operand.Text)), flags: EffectFlags.ResourcePattern | (operand.IsOpaque ? EffectFlags.Opaque : 0));
        }
    }

    private static void Killall(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(KillallSpec);
        var regex = args.Has('r') || args.Has("regexp");
        foreach (var operand in args.Operands)
        {
            if (operand.Text.Length > 1 && operand.Text[0] == '-')
            {
                continue;
            }

            if (regex || operand.IsPattern)
            {
                c.Add(EffectKind.Lifecycle, Process(c, regex ? RegexToGlob(operand.Text) : operand.Text), flags: EffectFlags.ResourcePattern | (operand.IsOpaque ? EffectFlags.Opaque : 0));
            }
            else
            {
                c.Add(EffectKind.Lifecycle, Process(c, operand.Text));
            }
        }

        if (ShellEffectCollector.CommandName(inv.Name.Text) == "killall5")
        {
            c.Add(EffectKind.Lifecycle, Process(c, "*"), flags: EffectFlags.ResourcePattern);
        }
    }

    private static void Pgrep(ShellEffectCollector c, ShellInvocation inv)
    {
        // Reading the process table changes nothing; what follows (kill $(pgrep ...)) is decided there.
    }

    private static string Service(ShellEffectCollector c, string host, string unit)
        => "service://" + (host.Length == 0 ? c.NamedHost : host) + "/" + unit;

    /// <summary>systemctl VERB UNIT...: stop, disable, mask, kill, restart, edit are lifecycle effects on the units.</summary>
    private static void Systemctl(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(SystemctlSpec);
        if (args.Operands.Count == 0)
        {
            return;
        }

        var host = args.Value('H', "host")?.Text is { } remote ? ShellTransferCommands.HostOf(remote) : string.Empty;
        var verb = args.Operands[0].Text;
        var kind = verb switch
        {
            "stop" or "disable" or "mask" or "kill" or "restart" or "try-restart" or "reload-or-restart" or "try-reload-or-restart" or "force-reload"
                or "condrestart" or "freeze" or "thaw" or "reset-failed" or "revert" or "clean" or "isolate" => EffectKind.Lifecycle,
            "edit" or "set-property" or "link" or "preset" or "add-wants" or "add-requires" or "set-environment" or "unset-environment" => EffectKind.Write,
            "start" or "enable" or "unmask" or "reload" or "reenable" => EffectKind.Exec,
            "status" or "show" or "cat" or "is-active" or "is-enabled" or "is-failed" or "list-dependencies" or "help" => EffectKind.Read,
            "poweroff" or "reboot" or "halt" or "suspend" or "hibernate" or "kexec" or "rescue" or "emergency" => EffectKind.Lifecycle,
            _ => (EffectKind?)null,
        };
        if (kind is null)
        {
            return;
        }

        if (verb is "poweroff" or "reboot" or "halt" or "suspend" or "hibernate" or "kexec" or "rescue" or "emergency")
        {
            c.Add(EffectKind.Lifecycle, Service(c, host, "system"));
            return;
        }

        for (var i = 1; i < args.Operands.Count; i++)
        {
            var unit = args.Operands[i];
            if (verb is "set-property" && i > 1)
            {
                break;
            }

            c.Add(kind.Value, Service(c, host, unit.Text), flags: (unit.IsPattern || unit.Text.AsSpan().IndexOfAny('*', '?', '[') >= 0 ? EffectFlags.ResourcePattern : 0) | (unit.IsOpaque ? EffectFlags.Opaque : 0));
        }
    }

    /// <summary>service UNIT stop|restart|...; /etc/init.d/UNIT stop goes the same way.</summary>
    internal static void Service(ShellEffectCollector c, ShellInvocation inv)
    {
        var words = inv.Words;
        var first = inv.First;
        while (first < words.Count && words[first].Text.StartsWith('-'))
        {
            first++;
        }

        if (first + 1 >= words.Count)
        {
            return;
        }

        AddServiceAction(c, words[first].Text, words[first + 1].Text);
    }

    internal static void AddServiceAction(ShellEffectCollector c, string unit, string action)
    {
        var kind = action switch
        {
            "stop" or "restart" or "force-reload" or "force-stop" or "condrestart" or "try-restart" or "disable" or "kill" => EffectKind.Lifecycle,
            "start" or "reload" or "enable" => EffectKind.Exec,
            "status" => EffectKind.Read,
            _ => EffectKind.Lifecycle,
        };
        c.Add(kind, "service://" + c.NamedHost + "/" + unit);
    }

    /// <summary>crontab [-u USER] FILE|-|-e|-r|-l.</summary>
    private static void Crontab(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(CrontabSpec);
        var user = args.Value('u')?.Text ?? "current";
        var resource = "cron://" + c.NamedHost + "/" + user;
        if (args.Has('r'))
        {
            c.Add(EffectKind.Delete, resource);
        }
        else if (args.Has('l'))
        {
            c.Add(EffectKind.Read, resource);
        }
        else if (args.Has('e') || args.Operands.Count > 0 || ShellEffectCollector.HasStandardInput(inv.Command))
        {
            foreach (var operand in args.Operands)
            {
                c.AddFile(EffectKind.Read, operand, inv.Cwd);
            }

            c.Add(EffectKind.Write, resource, value: inv.Command.Stdin);
        }
    }

    /// <summary>at TIME (commands on standard input or -f FILE): the commands run later, so they are analysed now.</summary>
    private static void At(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(AtSpec);
        if (args.Has('l') || args.Has('c'))
        {
            return;
        }

        if (args.Has('r') || args.Has('d'))
        {
            Atrm(c, inv);
            return;
        }

        if (args.Value('f') is { } file)
        {
            c.AddFile(EffectKind.Exec, file, inv.Cwd);
        }
        else if (inv.Command.Stdin is { } script)
        {
            c.AnalyzeSource(script, inv.Cwd);
        }
        else if (ShellEffectCollector.HasStandardInput(inv.Command))
        {
            c.AddOpaque(inv.Join(inv.Start));
        }
    }

    private static void Atrm(ShellEffectCollector c, ShellInvocation inv)
    {
        foreach (var operand in inv.Parse(AtrmSpec).Operands)
        {
            c.Add(EffectKind.Lifecycle, "at://" + c.NamedHost + "/" + operand.Text);
        }
    }

    /// <summary>shutdown -c cancels a scheduled shutdown (a lifecycle effect on the shutdown itself); other forms stop the system.</summary>
    private static void Shutdown(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(ShellOptionSpec.Flags);
        c.Add(EffectKind.Lifecycle, "service://" + c.NamedHost + (args.Has('c') ? "/shutdown" : "/system"));
    }

    /// <summary>kubectl [global options] VERB ...: edits are writes, deletes deletes, scaling to zero and rollouts lifecycle effects.</summary>
    private static void Kubectl(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(KubectlSpec);
        var operands = args.Operands;
        if (operands.Count == 0)
        {
            return;
        }

        var context = args.Value("context")?.Text ?? "default";
        var space = args.Value('n', "namespace")?.Text ?? "default";
        var verb = operands[0].Text;
        var first = 1;
        EffectKind kind;
        switch (verb)
        {
            case "edit" or "apply" or "patch" or "replace" or "label" or "annotate" or "create" or "autoscale" or "taint":
                kind = EffectKind.Write;
                break;
            case "set":
                kind = EffectKind.Write;
                first = 2;
                break;
            case "delete":
                kind = EffectKind.Delete;
                break;
            case "scale":
                var replicas = args.Value("replicas")?.Text;
                kind = replicas is "0" ? EffectKind.Lifecycle : EffectKind.Write;
                break;
            case "rollout":
                kind = EffectKind.Lifecycle;
                first = 2;
                break;
            case "cordon" or "drain" or "uncordon":
                kind = EffectKind.Lifecycle;
                c.Add(kind, K8s(context, "", "node", operands.Count > 1 ? operands[1].Text : "*"), flags: operands.Count > 1 ? 0 : EffectFlags.ResourcePattern);
                return;
            case "get" or "describe" or "logs" or "top" or "explain":
                kind = EffectKind.Read;
                break;
            case "exec":
                Exec(c, inv, args);
                return;
            case "cp":
                if (operands.Count >= 3)
                {
                    var from = Pod(c, operands[1], inv.Cwd, space);
                    var to = Pod(c, operands[2], inv.Cwd, space);
                    ShellCopies.Add(c, EffectKind.Copy, from, to, ShellCopies.Landing.Either, recursive: true, freshTime: false);
                }

                return;
            default:
                return;
        }

        var files = false;
        foreach (var option in args.Options)
        {
            if ((option.Is('f') || option.Is("filename") || option.Is("kustomize") || option.Is('k') || option.Is("patch-file")) && option.Value is not null)
            {
                files = true;
                if (option.Value.Text == "-" && inv.Command.Stdin is { } manifest)
                {
                    AddManifest(c, kind, context, space, manifest);
                    continue;
                }

                c.AddFile(EffectKind.Read, option.Value, inv.Cwd, recursive: option.Is('k') || option.Is("kustomize"));
                c.Add(kind, K8s(context, space, "*", "*"), flags: EffectFlags.ResourcePattern);
            }
        }

        if (files)
        {
            return;
        }

        string? patch = args.Value('p', "patch")?.Text;
        if (first >= operands.Count)
        {
            return;
        }

        var type = operands[first].Text;
        var slash = type.IndexOf('/');
        if (slash > 0)
        {
            for (var i = first; i < operands.Count; i++)
            {
                var text = operands[i].Text;
                var s = text.IndexOf('/');
                if (s > 0)
                {
                    c.Add(kind, K8s(context, space, Kind(text[..s]), text[(s + 1)..]), value: patch);
                }
            }

            return;
        }

        if (first + 1 >= operands.Count)
        {
            if (args.Has("all") || args.Has('l') || args.Value('l', "selector") is not null)
            {
                c.Add(kind, K8s(context, space, Kind(type), "*"), flags: EffectFlags.ResourcePattern, value: patch);
            }

            return;
        }

        for (var i = first + 1; i < operands.Count; i++)
        {
            var name = operands[i].Text;
            if (name.Contains('=') || name.StartsWith('-'))
            {
                continue;
            }

            c.Add(kind, K8s(context, space, Kind(type), name), value: patch);
            if (verb is "create")
            {
                break;
            }
        }
    }

    private static string K8s(string context, string space, string kind, string name)
        => space.Length == 0 ? $"k8s://{context}/{kind}/{name}" : $"k8s://{context}/{space}/{kind}/{name}";

    /// <summary>The kind, lower case and singular, aliases resolved, API group dropped (<c>cm</c>, <c>configmaps</c>, <c>deployments.apps</c>).</summary>
    internal static string Kind(string text)
    {
        var dot = text.IndexOf('.');
        var kind = (dot > 0 ? text[..dot] : text).ToLowerInvariant();
        return kind switch
        {
            "cm" or "configmaps" => "configmap",
            "cj" or "cronjobs" => "cronjob",
            "deploy" or "deployments" => "deployment",
            "ds" or "daemonsets" => "daemonset",
            "sts" or "statefulsets" => "statefulset",
            "po" or "pods" => "pod",
            "svc" or "services" => "service",
            "ns" or "namespaces" => "namespace",
            "rs" or "replicasets" => "replicaset",
            "ing" or "ingresses" => "ingress",
            "sa" or "serviceaccounts" => "serviceaccount",
            "pv" or "persistentvolumes" => "persistentvolume",
            "pvc" or "persistentvolumeclaims" => "persistentvolumeclaim",
            "netpol" or "networkpolicies" => "networkpolicy",
            "secrets" => "secret",
            "jobs" => "job",
            "nodes" or "no" => "node",
            _ => kind.EndsWith('s') && kind.Length > 3 && !kind.EndsWith("ss", StringComparison.Ordinal) ? kind[..^1] : kind,
        };
    }

    /// <summary>The first object of a manifest on standard input: its kind, namespace and name.</summary>
    private static void AddManifest(ShellEffectCollector c, EffectKind kind, string context, string space, string manifest)
    {
        string? objectKind = null;
        string? name = null;
        foreach (var range in manifest.AsSpan().Split('\n'))
        {
            var line = manifest.AsSpan(range.Start.Value, range.End.Value - range.Start.Value);
            var trimmed = line.Trim();
            if (line.StartsWith("kind:"))
            {
                objectKind ??= trimmed[5..].Trim().Trim('"').ToString();
            }
            else if (trimmed.StartsWith("name:") && name is null && line.Length > trimmed.Length)
            {
                name = trimmed[5..].Trim().Trim('"').Trim('\'').ToString();
            }
            else if (trimmed.StartsWith("namespace:"))
            {
                space = trimmed[10..].Trim().Trim('"').ToString();
            }
        }

        if (objectKind is null || name is null)
        {
            c.Add(kind, K8s(context, space, "*", "*"), flags: EffectFlags.ResourcePattern, value: manifest);
            return;
        }

        c.Add(kind, K8s(context, space, Kind(objectKind), name), value: manifest);
    }

    private static ShellResource Pod(ShellEffectCollector c, ShellWord word, string? cwd, string space)
    {
        var text = word.Text;
        var colon = text.IndexOf(':');
        if (colon <= 0 || text[..colon].Contains('/') && text[0] == '/')
        {
            return c.File(word, cwd);
        }

        var pod = text[..colon];
        var slash = pod.IndexOf('/');
        pod = slash < 0 ? pod : pod[(slash + 1)..];
        return ShellPaths.ResolveRemote(pod.ToLowerInvariant(), text[(colon + 1)..], word.IsPattern, word.IsOpaque);
    }

    /// <summary>kubectl exec POD [-c C] -- CMD...: the command is analysed on the pod as its host.</summary>
    private static void Exec(ShellEffectCollector c, ShellInvocation inv, ShellArguments args)
    {
        var words = inv.Words;
        var dashes = -1;
        for (var i = inv.First; i < words.Count; i++)
        {
            if (words[i].Text == "--")
            {
                dashes = i;
                break;
            }
        }

        var operands = args.Operands;
        if (operands.Count < 2)
        {
            return;
        }

        var pod = operands[1].Text;
        var slash = pod.IndexOf('/');
        pod = (slash < 0 ? pod : pod[(slash + 1)..]).ToLowerInvariant();
        var start = dashes >= 0 ? dashes + 1 : -1;
        if (start < 0 || start >= words.Count)
        {
            return;
        }

        c.AnalyzeOnHost(pod, QuotedJoin(inv, start), cwd: null);
    }

    /// <summary>argv words as one shell command, each quoted, for analysis on another host.</summary>
    internal static string QuotedJoin(ShellInvocation inv, int start)
    {
        var builder = new System.Text.StringBuilder();
        for (var i = start; i < inv.Words.Count; i++)
        {
            if (i > start)
            {
                builder.Append(' ');
            }

            var word = inv.Words[i];
            if (word.IsPattern)
            {
                builder.Append(word.Text);
                continue;
            }

            builder.Append('\'').Append(word.Text.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'');
        }

        return builder.ToString();
    }
}
