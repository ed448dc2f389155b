using System.Text;
using System.Text.Json;
using AgentGuard.Effects;
using AgentGuard.Protocols;

namespace AgentGuard.Policy;

/// <summary>
/// Decides a tool call: extracts its canonical effects, then evaluates every rule. The most
/// restrictive matching decision wins (deny over flag over allow); among equals, the more severe
/// finding, then the earlier rule. Order in the file never lets an allow hide a deny.
/// </summary>
public static class PolicyEngine
{
    /// <summary>Decides <paramref name="call"/> under <paramref name="policy"/>.</summary>
    public static Decision Decide(PolicySet policy, ToolCall call)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(call);

        EffectTemplate[]? mapping = null;
        var isToolCall = call.Method == McpMethods.ToolsCall;
        var unmapped = isToolCall && (call.Tool is null || !policy.Tools.TryGetValue(call.Tool, out mapping));

        var effects = new List<Effect>();
        var error = EffectExtractor.Extract(call, mapping, effects);
        if (error is not null)
        {
            return Decision.InspectionFailure(error);
        }

        return Decide(policy, call, effects, unmapped);
    }

    /// <summary>
    /// Decides a call whose effects were decoded outside the policy's tool mappings (an S3 request):
    /// the rules see <paramref name="effects"/> exactly as they see a mapped tool's.
    /// </summary>
    public static Decision Decide(PolicySet policy, ToolCall call, List<Effect> effects)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(effects);
        return Decide(policy, call, effects, unmapped: false);
    }

    /// <summary>Decides <paramref name="call"/> over the <paramref name="effects"/> already extracted from it.</summary>
    /// <param name="policy">The policy to decide under.</param>
    /// <param name="call">The call, for its call conditions.</param>
    /// <param name="effects">The call's canonical effects; the decision keeps the list.</param>
    /// <param name="unmapped">Whether the call is a <c>tools/call</c> of a tool no mapping describes.</param>
    internal static Decision Decide(PolicySet policy, ToolCall call, List<Effect> effects, bool unmapped)
    {
        Span<ulong> resourceMasks = effects.Count <= 16 ? stackalloc ulong[effects.Count] : new ulong[effects.Count];
        Span<ulong> destinationMasks = effects.Count <= 16 ? stackalloc ulong[effects.Count] : new ulong[effects.Count];
        Span<ulong> coverMasks = effects.Count <= 16 ? stackalloc ulong[effects.Count] : new ulong[effects.Count];
        for (var i = 0; i < effects.Count; i++)
        {
            (resourceMasks[i], coverMasks[i], destinationMasks[i]) = AssetMasks(policy, effects[i]);
        }

        string? argumentText = null;
        Rule? winner = null;
        var winnerExact = false;
        foreach (var rule in policy.Rules)
        {
            if (!rule.MatchesCall(call, unmapped))
            {
                continue;
            }

            if (rule.ArgumentsMatch is not null)
            {
                argumentText ??= ArgumentText(call.Arguments);
                if (!rule.ArgumentsMatch.IsMatch(argumentText))
                {
                    continue;
                }
            }

            var exact = true;
            if (rule.HasEffectConditions)
            {
                var match = MatchEffects(rule, effects, resourceMasks, coverMasks, destinationMasks);
                if (match == EffectMatch.None)
                {
                    continue;
                }

                exact = match == EffectMatch.Exact;
            }

            if (winner is null || Outranks(rule, exact, winner, winnerExact))
            {
                (winner, winnerExact) = (rule, exact);
            }
        }

        // Strict mode's denial outranks allow and flag like any deny: otherwise a rule that flags
        // suspicious unmapped calls would forward exactly the calls that name protected assets.
        if (unmapped && policy.Strict && winner?.Decision != DecisionKind.Deny)
        {
            return new Decision(DecisionKind.Deny, Decision.StrictModeRuleId, Finding.UnmappedTool, "strict mode denies tools no mapping describes", effects);
        }

        if (winner is not null)
        {
            return new Decision(winner.Decision, winner.Id, winner.Finding, winner.Message, effects);
        }

        return new Decision(policy.Default, Decision.DefaultRuleId, null, null, effects);
    }

    /// <summary>
    /// The assets an effect's resource is in, those it is wholly in (for <c>asset_not</c>), and those
    /// its destination is in. A pattern is in an asset when some name it matches is, and not in it
    /// when some name it matches is not.
    /// </summary>
    internal static (ulong Resource, ulong Cover, ulong Destination) AssetMasks(PolicySet policy, Effect effect)
    {
        if (effect.Format is { } format && policy.FormatAssetMask(format) is var content and not 0)
        {
            // Content recognised as weights is in every asset that lists its format, whatever it is
            // called; a copy or move carries those bytes to its destination.
            var named = AssetMasks(policy, effect with { Format = null });
            var travels = effect.Kind is EffectKind.Copy or EffectKind.Move;
            return (named.Resource | content, named.Cover | content, travels ? named.Destination | content : named.Destination);
        }

        if (effect.Flags == EffectFlags.None)
        {
            var mask = policy.AssetMask(effect.Resource);
            return (mask, mask, policy.AssetMask(effect.Destination));
        }

        var pattern = (effect.Flags & EffectFlags.ResourcePattern) != 0;
        var resource = pattern ? policy.PatternAssetMask(effect.Resource) : policy.AssetMask(effect.Resource);
        var cover = pattern ? policy.PatternCoverMask(effect.Resource) : resource;
        var destination = (effect.Flags & EffectFlags.DestinationPattern) != 0 ? policy.PatternAssetMask(effect.Destination) : policy.AssetMask(effect.Destination);
        return (resource, cover, destination);
    }

    /// <summary>Whether some effect meets the rule, and whether one whose resource is exactly named does.</summary>
    private static EffectMatch MatchEffects(Rule rule, List<Effect> effects, Span<ulong> resourceMasks, Span<ulong> coverMasks, Span<ulong> destinationMasks)
    {
        var match = EffectMatch.None;
        for (var i = 0; i < effects.Count; i++)
        {
            if (rule.MatchesEffect(effects[i], resourceMasks[i], coverMasks[i], destinationMasks[i]))
            {
                if ((effects[i].Flags & EffectFlags.ResourcePattern) == 0)
                {
                    return EffectMatch.Exact;
                }

                match = EffectMatch.Pattern;
            }
        }

        return match;
    }

    /// <summary>
    /// Deny over flag over allow; among equal decisions, a rule met by an exactly named resource
    /// names the finding before one met only through a pattern (<c>rm -rf /tmp/rules</c> removes the
    /// guard's policy folder for certain, and only could reach a shutdown config under it), then
    /// the more severe finding, then the earlier rule.
    /// </summary>
    private static bool Outranks(Rule candidate, bool candidateExact, Rule current, bool currentExact)
    {
        if (candidate.Decision != current.Decision)
        {
            return candidate.Decision > current.Decision;
        }

        if (candidateExact != currentExact)
        {
            return candidateExact;
        }

        var candidateSeverity = candidate.Finding?.Severity ?? (Severity)(-1);
        var currentSeverity = current.Finding?.Severity ?? (Severity)(-1);
        return candidateSeverity > currentSeverity;
    }

    private enum EffectMatch
    {
        None,
        Pattern,
        Exact,
    }

    /// <summary>Every property name and string value of the arguments, unescaped, one per line.</summary>
    internal static string ArgumentText(JsonElement arguments)
    {
        var text = new StringBuilder();
        Append(arguments, text, depth: 0);
        return text.ToString();

        static void Append(JsonElement element, StringBuilder text, int depth)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        text.Append(property.Name).Append('\n');
                        Append(property.Value, text, depth + 1);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Append(item, text, depth + 1);
                    }

                    break;
                case JsonValueKind.String:
                    text.Append(element.GetString()).Append('\n');
                    break;
                case JsonValueKind.Number:
                case JsonValueKind.True:
                case JsonValueKind.False:
                    text.Append(element.GetRawText()).Append('\n');
                    break;
            }
        }
    }
}
