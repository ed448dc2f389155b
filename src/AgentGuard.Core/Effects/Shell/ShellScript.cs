namespace AgentGuard.Effects.Shell;

/// <summary>What <see cref="ShellParser"/> understood of a command string.</summary>
/// <param name="Commands">Every simple command that may run, in order.</param>
/// <param name="Errors">
/// Syntax errors and limits hit (unbalanced quotes, too deep, too long); empty when the whole
/// input was understood. A script with errors still lists the commands parsed before and around them.
/// </param>
public sealed record ShellScript(IReadOnlyList<ShellCommand> Commands, IReadOnlyList<string> Errors)
{
    /// <summary>Whether the whole input was understood.</summary>
    public bool Complete => Errors.Count == 0;
}
