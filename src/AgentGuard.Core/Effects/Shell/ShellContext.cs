namespace AgentGuard.Effects.Shell;

/// <summary>Where a shell command runs, as the tool's mapping declares it.</summary>
/// <param name="Host">
/// The host the shell runs on: empty for the guard's own view of the machine (paths become
/// <c>file:///abs</c>), otherwise a host name or address (paths become <c>host://HOST/abs</c>).
/// </param>
/// <param name="WorkingDirectory">The shell's starting directory, or <see langword="null"/> when unknown.</param>
public sealed record ShellContext(string Host = "", string? WorkingDirectory = null)
{
    /// <summary>A shell on the local machine in an unknown directory.</summary>
    public static ShellContext Local { get; } = new();
}
