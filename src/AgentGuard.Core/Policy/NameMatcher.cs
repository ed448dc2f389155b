using System.Text.RegularExpressions;

namespace AgentGuard.Policy;

/// <summary>A set of globs over names (tools, methods, agent ids, roles), matched without regard to case.</summary>
internal sealed class NameMatcher
{
    private readonly Regex _pattern;

    public NameMatcher(IReadOnlyList<string> patterns) => _pattern = Glob.ToRegex(patterns, ignoreCase: true);

    public bool IsMatch(string? name) => name is not null && _pattern.IsMatch(name);
}
