using System.Text;
using System.Text.Json;
using AgentGuard.Content;
using AgentGuard.Effects;
using AgentGuard.Protocols;
using AgentGuard.Sessions;

namespace AgentGuard.Policy;

/// <summary>
/// Decides a tool call: extracts its canonical effects, then evaluates every rule. The most
/// restrictive matching decision wins (deny over flag over allow); among equals, the more severe
/// finding, then the earlier rule. Order in the file never lets an allow hide a deny.
/// </summary>
public static class PolicyEngine
{
    /// <summary>Decides <paramref name="call"/> under <paramref name="policy"/>.</summary>
    /// <param name="policy">The policy to decide under.</param>
    /// <param name="call">The call.</param>
    /// <param name="lineage">The session's lineage: resources copies made part of assets; <see langword="null"/> for none.</param>
    public static Decision Decide(PolicySet policy, ToolCall call, ILineage? lineage = null)
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

        return Decide(policy, call, effects, unmapped, lineage);
    }

    /// <summary>
    /// Decides a call whose effects were decoded outside the policy's tool mappings (an S3 request):
    /// the rules see <paramref name="effects"/> exactly as they see a mapped tool's.
    /// </summary>
    public static Decision Decide(PolicySet policy, ToolCall call, List<Effect> effects, ILineage? lineage = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(effects);
        return Decide(policy, call, effects, unmapped: false, lineage);
    }

    /// <summary>Decides <paramref name="call"/> over the <paramref name="effects"/> already extracted from it.</summary>
    /// <param name="policy">The policy to decide under.</param>
    /// <param name="call">The call, for its call conditions.</param>
    /// <param name="effects">The call's canonical effects; the decision keeps the list.</param>
    /// <param name="unmapped">Whether the call is a <c>tools/call</c> of a tool no mapping describes.</param>
    /// <param name="lineage">The session's lineage, or <see langword="null"/>.</param>
    internal static Decision Decide(PolicySet policy, ToolCall call, List<Effect> effects, bool unmapped, ILineage? lineage = null)
    {
        Span<EffectMasks> masks = effects.Count <= 16 ? stackalloc EffectMasks[effects.Count] : new EffectMasks[effects.Count];
        List<LineageEntry>? used = null;
        var hasLineage = lineage is { Count: > 0 };
        for (var i = 0; i < effects.Count; i++)
        {
            masks[i] = AssetMasks(policy, effects[i]);
            if (hasLineage)
            {
                masks[i] = WithLineage(policy, effects[i], masks[i], lineage!, ref used);
            }
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
                var match = MatchEffects(rule, effects, masks);
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
        var decision = unmapped && policy.Strict && winner?.Decision != DecisionKind.Deny
            ? new Decision(DecisionKind.Deny, Decision.StrictModeRuleId, Finding.UnmappedTool, "strict mode denies tools no mapping describes", effects)
            : winner is not null
                ? new Decision(winner.Decision, winner.Id, winner.Finding, winner.Message, effects) { Hold = winner.Hold }
                : new Decision(policy.Default, Decision.DefaultRuleId, null, null, effects);

        if (policy.CanaryMask != 0 && TouchesCanary(policy, masks) is var canary and >= 0)
        {
            decision = CanaryTouched(policy, decision, effects[canary], masks[canary]);
        }

        if (used is not null)
        {
            decision = decision with { Lineage = used };
        }

        return lineage is null || decision.IsDenied ? decision : Carry(policy, decision, masks, lineage);
    }

    /// <summary>
    /// The assets an effect's resource is in, those it is wholly in (for <c>asset_not</c>), and the same
    /// for its destination. A pattern is in an asset when some name it matches is, and not in it when
    /// some name it matches is not.
    /// </summary>
    internal static EffectMasks AssetMasks(PolicySet policy, Effect effect)
    {
        if (effect.Format is { } format && policy.FormatAssetMask(format) is var content and not 0)
        {
            // Content recognised as weights is in every asset that lists its format, whatever it is
            // called; a copy or move carries those bytes to its destination.
            var named = AssetMasks(policy, effect with { Format = null });
            var travels = effect.Kind is EffectKind.Copy or EffectKind.Move;
            return named.With(content, travels ? content : 0);
        }

        if (effect.Flags == EffectFlags.None)
        {
            var mask = policy.AssetMask(effect.Resource);
            var destination = policy.AssetMask(effect.Destination);
            return new EffectMasks(mask, mask, destination, destination);
        }

        var pattern = (effect.Flags & EffectFlags.ResourcePattern) != 0;
        var resource = pattern ? policy.PatternAssetMask(effect.Resource) : policy.AssetMask(effect.Resource);
        var cover = pattern ? policy.PatternCoverMask(effect.Resource) : resource;
        var destinationPattern = (effect.Flags & EffectFlags.DestinationPattern) != 0;
        var destinationMask = destinationPattern ? policy.PatternAssetMask(effect.Destination) : policy.AssetMask(effect.Destination);
        var destinationCover = destinationPattern ? policy.PatternCoverMask(effect.Destination) : destinationMask;
        return new EffectMasks(resource, cover, destinationMask, destinationCover);
    }

    /// <summary>Adds the assets lineage gives an effect's resource and destination (named ones only: a pattern is never a recorded copy).</summary>
    private static EffectMasks WithLineage(PolicySet policy, Effect effect, EffectMasks masks, ILineage lineage, ref List<LineageEntry>? used)
    {
        ulong resource = 0, destination = 0;
        if ((effect.Flags & EffectFlags.ResourcePattern) == 0 && lineage.Find(effect.Resource) is { } source)
        {
            resource = policy.NamedMask(source.Assets);
            (used ??= []).Add(source);
        }

        if (effect.Destination is not null && (effect.Flags & EffectFlags.DestinationPattern) == 0 && lineage.Find(effect.Destination) is { } target)
        {
            destination = policy.NamedMask(target.Assets);
            (used ??= []).Add(target);
        }

        return resource == 0 && destination == 0 ? masks : masks.With(resource, destination);
    }

    /// <summary>The index of the first effect that touches a canary (by its resource or destination), or -1.</summary>
    private static int TouchesCanary(PolicySet policy, ReadOnlySpan<EffectMasks> masks)
    {
        for (var i = 0; i < masks.Length; i++)
        {
            if (((masks[i].Resource | masks[i].Destination) & policy.CanaryMask) != 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// A canary is never touched by an honest task: whatever the rules decided, the finding is
    /// <c>canary-touched</c>, and the call is decided as the canaries say (by default allowed, so
    /// the agent does not learn which files are decoys) unless a rule was stricter.
    /// </summary>
    private static Decision CanaryTouched(PolicySet policy, Decision decided, Effect effect, EffectMasks masks)
    {
        var kind = (DecisionKind)Math.Max((int)decided.Kind, (int)policy.CanaryDecision);
        var touched = (masks.Resource & policy.CanaryMask) != 0 ? effect.Resource : effect.Destination;
        var message = decided.RuleId == Decision.DefaultRuleId
            ? $"canary touched: {touched}"
            : $"canary touched: {touched} (rule {decided.RuleId}: {decided.Message})";
        return decided with { Kind = kind, RuleId = Decision.CanaryRuleId, Finding = Finding.CanaryTouched, Message = message };
    }

    /// <summary>
    /// <paramref name="decision"/> (a denial) with the lineage its call creates when it is forwarded
    /// anyway: a trial's observe mode records denials as would-deny and forwards them, and the copies
    /// they make are copies still. Not on the enforcing path, where a denied call copies nothing.
    /// </summary>
    public static Decision CarryAsForwarded(PolicySet policy, Decision decision, ILineage lineage)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(lineage);
        var effects = decision.Effects;
        var masks = new EffectMasks[effects.Count];
        List<LineageEntry>? used = null;
        for (var i = 0; i < effects.Count; i++)
        {
            masks[i] = WithLineage(policy, effects[i], AssetMasks(policy, effects[i]), lineage, ref used);
        }

        return Carry(policy, decision, masks, lineage);
    }

    /// <summary>
    /// The lineage an allowed or flagged call creates: the landing resource of every copy or move of
    /// a resource in an asset (by name, content or lineage), and every write whose content was
    /// recognised as a model format. At the lineage's cap, a call that would add to it is denied:
    /// forgetting the oldest copy instead would let a flood of copies launder the first.
    /// </summary>
    private static Decision Carry(PolicySet policy, Decision decision, ReadOnlySpan<EffectMasks> masks, ILineage lineage)
    {
        List<LineageEntry>? carried = null;
        var effects = decision.Effects;
        for (var i = 0; i < effects.Count; i++)
        {
            var effect = effects[i];
            var mask = masks[i].Resource;
            if (mask == 0 || (effect.Flags & (EffectFlags.ResourcePattern | EffectFlags.DestinationPattern)) != 0)
            {
                continue;
            }

            if (effect.Kind is EffectKind.Copy or EffectKind.Move && effect.Destination is { } destination)
            {
                var landing = EffectExtractor.Landing(effect.Resource, destination);
                (carried ??= []).Add(new LineageEntry(landing, effect.Resource, policy.AssetNames(mask), effect.Kind == EffectKind.Copy ? LineageEntry.Copy : LineageEntry.Move, string.Empty, default));
            }
            else if (effect.Kind == EffectKind.Write && effect.Format is { } format && lineage.Find(effect.Resource) is null)
            {
                (carried ??= []).Add(new LineageEntry(effect.Resource, "content:" + ModelFormats.Name(format), policy.AssetNames(mask), LineageEntry.Content, string.Empty, default));
            }
        }

        if (carried is null)
        {
            return decision;
        }

        if (lineage.IsFull && AddsTo(lineage, carried))
        {
            return decision with
            {
                Kind = DecisionKind.Deny,
                RuleId = Decision.LineageFullRuleId,
                Finding = Finding.LineageFull,
                Message = $"the session's lineage is full; a copy of a protected resource could not be tracked ({carried[0].Origin} to {carried[0].Resource})",
            };
        }

        return decision with { Carried = carried };
    }

    /// <summary>Whether some of <paramref name="carried"/> is not in <paramref name="lineage"/> yet.</summary>
    /// <remarks>A loop, not <c>List.Exists</c> with a lambda: a lambda capturing the parameter made <see cref="Carry"/> allocate a closure on entry, for every allowed decision.</remarks>
    private static bool AddsTo(ILineage lineage, List<LineageEntry> carried)
    {
        foreach (var entry in carried)
        {
            if (lineage.Find(entry.Resource) is null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether some effect meets the rule, and whether one whose resource is exactly named does.</summary>
    private static EffectMatch MatchEffects(Rule rule, List<Effect> effects, ReadOnlySpan<EffectMasks> masks)
    {
        var match = EffectMatch.None;
        for (var i = 0; i < effects.Count; i++)
        {
            if (rule.MatchesEffect(effects[i], masks[i]))
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
    /// Deny over hold over flag over allow; among equal decisions, a rule met by an exactly named resource
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
