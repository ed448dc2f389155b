using AgentGuard.Effects;
using AgentGuard.Protocols;

namespace AgentGuard.Policy;

/// <summary>
/// Explains a decision for a reviewer (<c>agentguard policy explain</c>): decides the call as the
/// guard does, then lists, for each effect, every rule that matched it, not only the one that won.
/// Off the hot path.
/// </summary>
public static class PolicyExplainer
{
    /// <summary>Decides <paramref name="call"/> under <paramref name="policy"/> and says why.</summary>
    public static PolicyExplanation Explain(PolicySet policy, ToolCall call)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(call);

        var decision = PolicyEngine.Decide(policy, call);
        var unmapped = call.Method == McpMethods.ToolsCall && (call.Tool is null || !policy.Tools.ContainsKey(call.Tool));
        var effects = decision.Effects;
        var masks = new EffectMasks[effects.Count];
        var matched = new List<Rule>[effects.Count];
        for (var i = 0; i < effects.Count; i++)
        {
            masks[i] = PolicyEngine.AssetMasks(policy, effects[i]);
            matched[i] = [];
        }

        var callRules = new List<Rule>();
        string? argumentText = null;
        foreach (var rule in policy.Rules)
        {
            if (!rule.MatchesCall(call, unmapped))
            {
                continue;
            }

            if (rule.ArgumentsMatch is not null)
            {
                argumentText ??= PolicyEngine.ArgumentText(call.Arguments);
                if (!rule.ArgumentsMatch.IsMatch(argumentText))
                {
                    continue;
                }
            }

            if (!rule.HasEffectConditions)
            {
                callRules.Add(rule);
                continue;
            }

            for (var i = 0; i < effects.Count; i++)
            {
                if (rule.MatchesEffect(effects[i], masks[i]))
                {
                    matched[i].Add(rule);
                }
            }
        }

        var explained = new EffectExplanation[effects.Count];
        for (var i = 0; i < effects.Count; i++)
        {
            explained[i] = new EffectExplanation(effects[i], AssetNames(policy, masks[i].Resource), AssetNames(policy, masks[i].Destination), matched[i]);
        }

        return new PolicyExplanation(decision, unmapped, explained, callRules);
    }

    private static string[] AssetNames(PolicySet policy, ulong mask)
    {
        var names = new List<string>();
        for (var i = 0; i < policy.Assets.Length; i++)
        {
            if ((mask & (1UL << i)) != 0)
            {
                names.Add(policy.Assets[i].Name);
            }
        }

        return [.. names];
    }
}
