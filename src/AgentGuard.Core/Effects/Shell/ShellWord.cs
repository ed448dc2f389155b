namespace AgentGuard.Effects.Shell;

/// <summary>One word of a command after quote removal and expansion.</summary>
/// <param name="Text">
/// The word's value. When <paramref name="IsPattern"/> is set it is a glob in shell syntax
/// (<c>*</c>, <c>?</c>, <c>[...]</c>) in which every character that was quoted or escaped in the
/// source and would otherwise be glob syntax (<c>\ * ? [ ] ( )</c>) is preceded by a backslash,
/// so <c>'*'x*</c> becomes <c>\*x*</c> (other quoted characters mean themselves either way and
/// are left bare).
/// </param>
/// <param name="IsPattern">The word holds unquoted glob characters, or parts that are unknown (written as <c>*</c>).</param>
/// <param name="IsOpaque">Part of the word could not be known statically (an unset variable, a command substitution whose output is unknown).</param>
public sealed record ShellWord(string Text, bool IsPattern = false, bool IsOpaque = false);
