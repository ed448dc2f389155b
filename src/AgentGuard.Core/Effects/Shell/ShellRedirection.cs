namespace AgentGuard.Effects.Shell;

/// <summary>One redirection of a simple command, after expansion.</summary>
/// <param name="Descriptor">The file descriptor redirected (0 for input, 1 for output unless a number is given).</param>
/// <param name="Kind">What is done to the target.</param>
/// <param name="Target">The file (or descriptor, for <see cref="ShellRedirectionKind.Duplicate"/>); for here-documents and here-strings, the body.</param>
public sealed record ShellRedirection(int Descriptor, ShellRedirectionKind Kind, ShellWord Target);
