namespace AgentGuard.Proxy;

/// <summary>The guard cannot start: its configuration or policy is invalid.</summary>
public sealed class GuardStartException(IEnumerable<string> errors)
    : Exception("The guard cannot start:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    /// <summary>Every error, each with its key or file and line, and a fix.</summary>
    public IReadOnlyList<string> Errors { get; } = errors.ToList();
}
