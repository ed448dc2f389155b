using System.Text.RegularExpressions;
using AgentGuard.Policy;
using AgentGuard.Sessions;

namespace AgentGuard.Oversight;

/// <summary>
/// Which tool results of a session count as one part of an evaluation's evidence (the data sheet,
/// the rubric): by tool name or resource URI, and optionally by what the call's arguments or the
/// result's text hold. Results the tool reported as errors never count.
/// </summary>
public sealed class EvidenceSelector
{
    /// <summary>Tool name globs, e.g. <c>view_sheet</c>.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>Resource URI globs, for <c>resources/read</c>.</summary>
    public IReadOnlyList<string> Resources { get; init; } = [];

    /// <summary>A pattern the call's canonical JSON arguments must match, e.g. <c>Evaluation data</c>.</summary>
    public Regex? ArgumentsMatch { get; init; }

    /// <summary>A pattern the result's text must match.</summary>
    public Regex? ContentMatch { get; init; }

    internal NameMatcher? ToolMatcher { get; init; }

    internal NameMatcher? ResourceMatcher { get; init; }

    /// <summary>Whether <paramref name="evidence"/> is of this kind.</summary>
    public bool Matches(Evidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        if (evidence.IsError)
        {
            return false;
        }

        var named = (ToolMatcher is not null && ToolMatcher.IsMatch(evidence.Tool))
            || (ResourceMatcher is not null && ResourceMatcher.IsMatch(evidence.Resource));
        return named
            && (ArgumentsMatch is null || ArgumentsMatch.IsMatch(evidence.Arguments))
            && (ContentMatch is null || ContentMatch.IsMatch(evidence.Content));
    }

    /// <summary>The latest evidence of this kind, or <see langword="null"/>.</summary>
    public Evidence? Latest(IReadOnlyList<Evidence> evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        for (var i = evidence.Count - 1; i >= 0; i--)
        {
            if (Matches(evidence[i]))
            {
                return evidence[i];
            }
        }

        return null;
    }
}
