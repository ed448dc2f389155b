namespace AgentGuard.Policy;

/// <summary>
/// What a new policy version no longer has that the previous one had: rules, assets (or resource
/// patterns of an asset), tool mappings. A reload that drops protection should be seen.
/// </summary>
/// <param name="Rules">Rule ids gone.</param>
/// <param name="Assets">Assets gone, and <c>asset: pattern</c> for patterns gone from an asset that stays.</param>
/// <param name="Tools">Tool mappings gone.</param>
internal sealed record PolicyRemovals(IReadOnlyList<string> Rules, IReadOnlyList<string> Assets, IReadOnlyList<string> Tools)
{
    /// <summary>Whether anything was removed.</summary>
    public bool Any => Rules.Count > 0 || Assets.Count > 0 || Tools.Count > 0;

    /// <summary>What <paramref name="next"/> lacks of <paramref name="previous"/>.</summary>
    public static PolicyRemovals Between(PolicySet previous, PolicySet next)
    {
        var nextRules = new HashSet<string>(next.Rules.Select(r => r.Id), StringComparer.Ordinal);
        var rules = previous.Rules.Select(r => r.Id).Where(id => !nextRules.Contains(id)).ToList();

        var assets = new List<string>();
        foreach (var asset in previous.Assets)
        {
            var kept = Array.Find(next.Assets, a => a.Name == asset.Name);
            if (kept is null)
            {
                assets.Add(asset.Name);
                continue;
            }

            var patterns = new HashSet<string>(kept.Resources, StringComparer.Ordinal);
            assets.AddRange(asset.Resources.Where(p => !patterns.Contains(p)).Select(p => $"{asset.Name}: {p}"));
        }

        var tools = previous.Tools.Keys.Where(tool => !next.Tools.ContainsKey(tool)).Order(StringComparer.Ordinal).ToList();
        return new PolicyRemovals(rules, assets, tools);
    }
}
