namespace AgentGuard.Effects.Shell;

/// <summary>The effects of a command's redirections: <c>&lt;</c> reads, <c>&gt;</c> <c>&gt;&gt;</c> <c>&lt;&gt;</c> write, <c>/dev/tcp</c> sends.</summary>
internal static class ShellRedirections
{
    public static void AddInputs(ShellEffectCollector collector, ShellCommand command)
    {
        foreach (var redirection in command.Redirections)
        {
            if (redirection.Kind is ShellRedirectionKind.Read or ShellRedirectionKind.ReadWrite && !IsNetwork(redirection.Target.Text))
            {
                collector.AddFile(EffectKind.Read, redirection.Target, command.WorkingDirectory);
            }
        }
    }

    public static void AddOutputs(ShellEffectCollector collector, ShellCommand command, int index, int commandStart)
    {
        string? value = null;
        var valueKnown = false;
        foreach (var redirection in command.Redirections)
        {
            if (redirection.Kind is not (ShellRedirectionKind.Write or ShellRedirectionKind.Append or ShellRedirectionKind.ReadWrite))
            {
                continue;
            }

            var target = redirection.Target;
            if (IsNetwork(target.Text))
            {
                var destination = NetworkDestination(target.Text);
                var invocation = new ShellInvocation(command, command.Words, 0, index);
                collector.AddEgressOfInput(invocation, destination);
                collector.AddEgressOfOwnReads(destination, commandStart);
                continue;
            }

            if (!valueKnown)
            {
                value = redirection.Descriptor == 1 ? StandardOutput(command) : null;
                valueKnown = true;
            }

            var written = collector.AddFile(EffectKind.Write, target, command.WorkingDirectory, value: value);
            if (redirection.Descriptor == 1)
            {
                collector.AddCopiesOfOutput(command, index, commandStart, written);
            }
        }
    }

    /// <summary>What a command prints when it is known: the text of <c>echo</c>/<c>printf</c>, a here-document <c>cat</c> passes on.</summary>
    public static string? StandardOutput(ShellCommand command)
    {
        var words = command.Words;
        if (words.Count == 0)
        {
            return null;
        }

        switch (words[0].Text)
        {
            case "echo":
            case "printf":
                var first = 1;
                while (first < words.Count && words[0].Text == "echo" && words[first].Text is "-n" or "-e" or "-E" or "-ne" or "-en")
                {
                    first++;
                }

                return first >= words.Count ? string.Empty : new ShellInvocation(command, words, 0, -1).Join(first);
            case "cat":
            case "tee":
                return command.Stdin;
            default:
                return null;
        }
    }

    private static bool IsNetwork(string target)
        => target.StartsWith("/dev/tcp/", StringComparison.Ordinal) || target.StartsWith("/dev/udp/", StringComparison.Ordinal);

    /// <summary><c>/dev/tcp/HOST/PORT</c> as <c>tcp://HOST:PORT/</c>.</summary>
    private static string NetworkDestination(string target)
    {
        var rest = target[9..];
        var slash = rest.IndexOf('/');
        var host = (slash < 0 ? rest : rest[..slash]).ToLowerInvariant();
        var port = slash < 0 ? string.Empty : ":" + rest[(slash + 1)..];
        return target[5..8] + "://" + host + port + "/";
    }
}
