using System.Collections.Frozen;
using AgentGuard.Content;
using AgentGuard.Effects;
using AgentGuard.Oversight;

namespace AgentGuard.Policy;

/// <summary>
/// One loaded, validated and compiled version of the policy: every file merged, globs compiled,
/// tool mappings in a frozen dictionary. Immutable, so a reload swaps it whole.
/// </summary>
public sealed class PolicySet
{
    internal PolicySet(
        Asset[] assets,
        FrozenDictionary<string, EffectTemplate[]> tools,
        Rule[] rules,
        DecisionKind defaultDecision,
        bool strict,
        string version,
        IReadOnlyList<string> files,
        OversightPolicy? oversight = null)
    {
        Oversight = oversight ?? OversightPolicy.Empty;
        Assets = assets;
        Tools = tools;
        Rules = rules;
        Default = defaultDecision;
        Strict = strict;
        Version = version;
        Files = files;
        NeedsArgumentText = Array.Exists(rules, r => r.ArgumentsMatch is not null);
        foreach (var rule in rules)
        {
            _assetsNot |= rule.AssetsNot;
        }

        // Most resources belong to no asset: one pass over every asset's patterns (case-insensitive,
        // so it only ever says yes too often) settles those before any asset is tried alone.
        var all = new List<string>();
        foreach (var asset in assets)
        {
            all.AddRange(asset.Resources);
        }

        _anyAsset = all.Count == 0 ? null : Glob.ToRegex(all, ignoreCase: true);
        _formatMasks = new ulong[ModelFormats.Names.Length];
        for (var i = 0; i < assets.Length; i++)
        {
            foreach (var format in assets[i].Formats)
            {
                _formatMasks[(int)format] |= 1UL << i;
            }
        }
    }

    // Per ModelFormat, the assets that list it.
    private readonly ulong[] _formatMasks;

    private readonly System.Text.RegularExpressions.Regex? _anyAsset;
    private readonly AssetMaskCache _masks = new();

    // Apart from _masks: "file:///data/*" is a name with a star in one and a glob in the other.
    private readonly AssetMaskCache _patternMasks = new();
    private readonly AssetMaskCache _patternCoverMasks = new();

    // The assets some rule's asset_not names: the only ones a pattern must be checked to lie wholly inside.
    private readonly ulong _assetsNot;

    /// <summary>The assets, in declaration order; an asset's index is its bit in rule masks.</summary>
    public Asset[] Assets { get; }

    /// <summary>Tool name (any case) to the effects the tool has.</summary>
    public FrozenDictionary<string, EffectTemplate[]> Tools { get; }

    /// <summary>The rules, in file order.</summary>
    public Rule[] Rules { get; }

    /// <summary>The decision for a call no rule matches.</summary>
    public DecisionKind Default { get; }

    /// <summary>Whether a <c>tools/call</c> of a tool with no mapping is denied.</summary>
    public bool Strict { get; }

    /// <summary>A hash of the policy sources (first 12 hex digits of SHA-256).</summary>
    public string Version { get; }

    /// <summary>The files the policy was loaded from.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The <c>oversight:</c> section: evaluations, obligations, end tools; empty when no file has one.</summary>
    public OversightPolicy Oversight { get; }

    internal bool NeedsArgumentText { get; }

    /// <summary>The bit mask of assets that contain <paramref name="resource"/>.</summary>
    internal ulong AssetMask(string? resource)
    {
        if (resource is null || _anyAsset is null)
        {
            return 0;
        }

        if (_masks.TryGet(resource, out var mask))
        {
            return mask;
        }

        mask = MatchAssets(resource);
        _masks.Add(resource, mask);
        return mask;
    }

    /// <summary>The bit mask of assets that list <paramref name="format"/>: content recognised as it is in them.</summary>
    internal ulong FormatAssetMask(ModelFormat format) => _formatMasks[(int)format];

    /// <summary>The bit mask of assets that contain some name <paramref name="pattern"/> matches (see <see cref="ResourcePattern"/>).</summary>
    internal ulong PatternAssetMask(string? pattern)
    {
        if (pattern is null || Assets.Length == 0)
        {
            return 0;
        }

        if (_patternMasks.TryGet(pattern, out var mask))
        {
            return mask;
        }

        var automaton = ResourcePattern.ToAutomaton(pattern);
        var unknownFolder = ResourcePattern.HasUnknownFolder(pattern);
        for (var i = 0; i < Assets.Length; i++)
        {
            if (Assets[i].Intersects(automaton, unknownFolder))
            {
                mask |= 1UL << i;
            }
        }

        _patternMasks.Add(pattern, mask);
        return mask;
    }

    /// <summary>
    /// The bit mask of assets that contain every name <paramref name="pattern"/> matches, among those
    /// a rule's <c>asset_not</c> names: a pattern is "not in" an asset when some name it matches is not.
    /// </summary>
    internal ulong PatternCoverMask(string? pattern)
    {
        var candidates = _assetsNot & PatternAssetMask(pattern);
        if (pattern is null || candidates == 0)
        {
            return 0;
        }

        if (_patternCoverMasks.TryGet(pattern, out var mask))
        {
            return mask;
        }

        var automaton = ResourcePattern.ToAutomaton(pattern);
        for (var i = 0; i < Assets.Length; i++)
        {
            if ((candidates & (1UL << i)) != 0 && Assets[i].Covers(automaton))
            {
                mask |= 1UL << i;
            }
        }

        _patternCoverMasks.Add(pattern, mask);
        return mask;
    }

    /// <summary>The bit mask of assets that contain <paramref name="resource"/>, from the regexes alone.</summary>
    internal ulong MatchAssets(string resource)
    {
        if (_anyAsset is null || !(_anyAsset.IsMatch(resource) || _anyAsset.IsMatch(resource.AsSpan().TrimEnd('/'))))
        {
            return 0;
        }

        ulong mask = 0;
        for (var i = 0; i < Assets.Length; i++)
        {
            if (Assets[i].Contains(resource))
            {
                mask |= 1UL << i;
            }
        }

        return mask;
    }
}
