using System.Text.RegularExpressions;
using AgentGuard.Content;

namespace AgentGuard.Policy;

/// <summary>A named class of protected resources, e.g. <c>model-weights</c>.</summary>
public sealed class Asset
{
    private readonly Regex _pattern;
    private GlobAutomaton? _automaton;
    private GlobAutomaton? _exactAutomaton;
    private GlobAutomaton? _namedAutomaton;

    internal Asset(string name, string? description, IReadOnlyList<string> resources, bool caseInsensitive, IReadOnlyList<ModelFormat>? formats = null)
    {
        Name = name;
        Formats = formats ?? [];
        Description = description;
        Resources = resources;
        CaseInsensitive = caseInsensitive;
        _pattern = Glob.ToRegex(resources, caseInsensitive);
    }

    /// <summary>The asset's name.</summary>
    public string Name { get; }

    /// <summary>What the asset is, for people.</summary>
    public string? Description { get; }

    /// <summary>The globs over canonical resource URIs that make up the asset.</summary>
    public IReadOnlyList<string> Resources { get; }

    /// <summary>
    /// The model formats whose content belongs to the asset whatever it is called: a write of content
    /// recognised as one of them (<see cref="Effects.Effect.Format"/>) is a write of this asset.
    /// </summary>
    public IReadOnlyList<ModelFormat> Formats { get; }

    /// <summary>Whether names match regardless of case (for tool servers on case-insensitive file systems).</summary>
    public bool CaseInsensitive { get; }

    /// <summary>Whether the canonical <paramref name="resource"/> belongs to this asset.</summary>
    public bool Contains(string resource)
    {
        // Tool servers resolve "x/" and "x/." to x (Node's path.resolve in the MCP filesystem
        // server, Python's os.path.normpath), so a trailing slash must not hide a protected name.
        // The canonical form keeps the slash because a copy's destination folder depends on it.
        var trimmed = resource.AsSpan().TrimEnd('/');
        return _pattern.IsMatch(resource) || (trimmed.Length != resource.Length && _pattern.IsMatch(trimmed));
    }

    /// <summary>Whether some name that <paramref name="pattern"/> matches belongs to this asset.</summary>
    /// <param name="pattern">A compiled resource pattern (see <see cref="ResourcePattern"/>).</param>
    /// <param name="unknownFolder">
    /// Whether the pattern names a file in a folder that is not known (<c>file:///**/notes.txt</c>: a
    /// relative path in a shell whose directory is unknown); see <see cref="ResourcePattern.HasUnknownFolder"/>.
    /// </param>
    internal bool Intersects(GlobAutomaton pattern, bool unknownFolder = false)
    {
        // Compiled on first use, once per loaded policy: most policies never see a pattern. Like
        // Contains, a name with trailing slashes is in the asset when the name without them is.
        if (unknownFolder)
        {
            // Such a pattern says what a file is called, not where it is, and a folder-wide glob
            // ("/etc/agentguard/policies/**") says nothing about names: every name in some unknown
            // folder could be under it, so matching the two would make every relative path in a shell
            // guard tampering. Only the globs that say something about the name decide it.
            var named = _namedAutomaton ??= Glob.ToAutomaton(NamedResources(), CaseInsensitive, trailingSlashes: true);
            return pattern.Intersects(named);
        }

        var automaton = _automaton ??= Glob.ToAutomaton(Resources, CaseInsensitive, trailingSlashes: true);
        return pattern.Intersects(automaton);
    }

    private List<string> NamedResources()
    {
        var named = new List<string>(Resources.Count);
        foreach (var resource in Resources)
        {
            if (!resource.EndsWith("/**", StringComparison.Ordinal))
            {
                named.Add(resource);
            }
        }

        return named;
    }

    /// <summary>Whether every name that <paramref name="pattern"/> matches belongs to this asset.</summary>
    /// <param name="pattern">A compiled resource pattern (see <see cref="ResourcePattern"/>).</param>
    internal bool Covers(GlobAutomaton pattern)
    {
        // Without the trailing slashes Contains forgives: a stricter asset covers less, and "not
        // covered" is what lets asset_not hold, so a deny rule with asset_not errs towards matching.
        var automaton = _exactAutomaton ??= Glob.ToAutomaton(Resources, CaseInsensitive);

        // Globs too large to compile stand for everything, which would cover every pattern: fail closed.
        return !ReferenceEquals(automaton, GlobAutomaton.Everything) && !pattern.HasMatchOutside(automaton, out _);
    }
}
