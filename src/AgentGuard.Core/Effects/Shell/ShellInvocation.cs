namespace AgentGuard.Effects.Shell;

/// <summary>
/// One command as the analyser sees it once wrappers are looked through: the words from
/// <see cref="Start"/> on are the command and its arguments.
/// </summary>
// A struct: one is made for every command analysed and for every wrapper looked through.
internal readonly struct ShellInvocation(ShellCommand command, IReadOnlyList<ShellWord> words, int start, int index)
{
    /// <summary>The simple command of the script this invocation comes from (its redirections, directory and pipeline).</summary>
    public ShellCommand Command { get; } = command;

    public IReadOnlyList<ShellWord> Words { get; } = words;

    /// <summary>Index of the command name in <see cref="Words"/>.</summary>
    public int Start { get; } = start;

    /// <summary>Index of <see cref="Command"/> in its script, for pipeline look-ups.</summary>
    public int Index { get; } = index;

    public ShellWord Name => Words[Start];

    /// <summary>Index of the first argument.</summary>
    public int First => Start + 1;

    public int ArgumentCount => Words.Count - Start - 1;

    public string? Cwd => Command.WorkingDirectory;

    /// <summary>The same command from word <paramref name="start"/> on (a wrapped command).</summary>
    public ShellInvocation From(int start) => new(Command, Words, start, Index);

    /// <summary>Arguments parsed by <paramref name="spec"/>.</summary>
    public ShellArguments Parse(ShellOptionSpec spec) => ShellArguments.Parse(Words, First, spec);

    /// <summary>The words from <paramref name="start"/> on joined by spaces, as ssh and eval join them.</summary>
    public string Join(int start)
    {
        if (start == Words.Count - 1)
        {
            return Words[start].Text;
        }

        var builder = new System.Text.StringBuilder();
        for (var i = start; i < Words.Count; i++)
        {
            if (i > start)
            {
                builder.Append(' ');
            }

            builder.Append(Words[i].Text);
        }

        return builder.ToString();
    }

    public bool AnyOpaque(int start)
    {
        for (var i = start; i < Words.Count; i++)
        {
            if (Words[i].IsOpaque)
            {
                return true;
            }
        }

        return false;
    }
}
