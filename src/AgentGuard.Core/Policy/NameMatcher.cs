using System.Text.RegularExpressions;

namespace AgentGuard.Policy;

/// <summary>A set of globs over names (tools, methods, agent ids, roles), matched without regard to case.</summary>
internal sealed class NameMatcher
{
    private readonly Regex[] _patterns;

    public NameMatcher(IReadOnlyList<string> patterns)
    {
        _patterns = new Regex[patterns.Count];
        for (var i = 0; i < patterns.Count; i++)
        {
            _patterns[i] = Glob.ToRegex(patterns[i], ignoreCase: true);
        }
    }

    public bool IsMatch(string? name)
    {
        if (name is null)
        {
            return false;
        }

        foreach (var pattern in _patterns)
        {
            if (pattern.IsMatch(name))
            {
                return true;
            }
        }

        return false;
    }
}
