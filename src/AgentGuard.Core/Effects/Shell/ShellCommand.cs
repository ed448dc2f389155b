namespace AgentGuard.Effects.Shell;

/// <summary>
/// One simple command as it would run: its words expanded, in the order the script would run it.
/// Commands inside command substitutions, subshells, groups, functions (at each call) and every
/// branch of <c>if</c>/<c>case</c>/loops appear too, since any of them may run.
/// </summary>
/// <param name="Words">argv: the command name and its arguments. Empty for a bare assignment or redirection.</param>
/// <param name="Assignments">Prefix assignments (<c>X=1 cmd</c>), or the assignments of a bare assignment command.</param>
/// <param name="Redirections">The command's redirections, in source order.</param>
/// <param name="WorkingDirectory">The directory the command runs in, tracked through <c>cd</c>/<c>pushd</c>; <see langword="null"/> when unknown.</param>
/// <param name="Pipeline">Which pipeline of the script the command belongs to (commands of one pipeline share the number).</param>
/// <param name="PipelineIndex">The command's place in its pipeline: from 1 on, its standard input is the previous command's output.</param>
/// <param name="Stdin">
/// What the command reads on standard input when it is known statically: a here-document or
/// here-string body, or the output of an <c>echo</c>/<c>printf</c>/<c>cat</c>-of-a-here-document
/// (or a base64/hex decoding of such a literal) earlier in the pipeline; otherwise <see langword="null"/>.
/// </param>
public sealed record ShellCommand(
    IReadOnlyList<ShellWord> Words,
    IReadOnlyList<KeyValuePair<string, ShellWord>> Assignments,
    IReadOnlyList<ShellRedirection> Redirections,
    string? WorkingDirectory,
    int Pipeline,
    int PipelineIndex,
    string? Stdin);
