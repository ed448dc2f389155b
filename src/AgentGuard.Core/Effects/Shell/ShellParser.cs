namespace AgentGuard.Effects.Shell;

/// <summary>
/// Parses POSIX sh and the bash agents write into the simple commands it would run, with every
/// word expanded as far as can be known statically. Total: never throws, bounded time and memory.
/// </summary>
public static class ShellParser
{
    /// <summary>Parses <paramref name="source"/>.</summary>
    /// <param name="source">The command string.</param>
    /// <param name="workingDirectory">The directory the script starts in, or <see langword="null"/> when unknown.</param>
    public static ShellScript Parse(string source, string? workingDirectory = null)
        => new([], ["not implemented yet"]); // placeholder until the parser lands
}
