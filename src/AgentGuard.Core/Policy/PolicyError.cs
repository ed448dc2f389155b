namespace AgentGuard.Policy;

/// <summary>One problem found while loading a policy: where it is and how to fix it.</summary>
/// <param name="File">The policy file.</param>
/// <param name="Line">The 1-based line, or 0 when the problem is not on one line.</param>
/// <param name="Message">What is wrong, and where possible what would be right.</param>
public sealed record PolicyError(string File, int Line, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}
