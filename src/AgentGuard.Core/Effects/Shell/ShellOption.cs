namespace AgentGuard.Effects.Shell;

/// <summary>One option of a command line: a short letter or a long name, with its value when it takes one.</summary>
internal readonly record struct ShellOption(char Short, string? Long, ShellWord? Value)
{
    public bool Is(char name) => Short == name && Long is null;

    public bool Is(string name) => Long is not null && Long == name;
}
