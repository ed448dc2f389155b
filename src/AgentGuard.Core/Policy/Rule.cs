using System.Text.RegularExpressions;
using AgentGuard.Effects;

namespace AgentGuard.Policy;

/// <summary>
/// A condition over a call and its effects, and the decision when it holds. Call conditions (tool,
/// method, agent, role, unmapped, arguments) must all hold; when the rule has effect conditions
/// (kind, asset, asset_not, destination_asset, destination_asset_not, crosses_host, opaque, value) at least one effect must meet all of them.
/// </summary>
public sealed class Rule
{
    /// <summary>The rule's id, for the log and audit record.</summary>
    public required string Id { get; init; }

    /// <summary>What to do when the rule matches.</summary>
    public required DecisionKind Decision { get; init; }

    /// <summary>The behaviour found when the rule matches.</summary>
    public Finding? Finding { get; init; }

    /// <summary>A message for the audit record.</summary>
    public string? Message { get; init; }

    /// <summary>For a rule that decides <c>hold</c>: its timeout and reviewers; otherwise <see langword="null"/>.</summary>
    public HoldTerms? Hold { get; init; }

    internal NameMatcher? Tools { get; init; }

    internal NameMatcher? Methods { get; init; }

    internal NameMatcher? Agents { get; init; }

    internal NameMatcher? Roles { get; init; }

    internal bool? Unmapped { get; init; }

    internal Regex? ArgumentsMatch { get; init; }

    /// <summary>Bit <c>1 &lt;&lt; kind</c> per effect kind; 0 for any kind.</summary>
    internal int Kinds { get; init; }

    /// <summary>Bit per asset index over the effect's resource; 0 for any resource.</summary>
    internal ulong Assets { get; init; }

    /// <summary>Bit per asset index the effect's resource must not be in; 0 for no such condition.</summary>
    internal ulong AssetsNot { get; init; }

    /// <summary>Bit per asset index over the effect's destination; 0 for any destination.</summary>
    internal ulong DestinationAssets { get; init; }

    /// <summary>Bit per asset index the effect's destination must not be wholly in (an approved store); 0 for no such condition.</summary>
    internal ulong DestinationAssetsNot { get; init; }

    internal bool? CrossesHost { get; init; }

    /// <summary>Whether the effect must (true) or must not (false) come from something that could not be read statically.</summary>
    internal bool? Opaque { get; init; }

    internal string[]? ValueIn { get; init; }

    internal string[]? ValueNotIn { get; init; }

    internal Regex? ValueMatches { get; init; }

    internal bool HasEffectConditions
        => Kinds != 0 || Assets != 0 || AssetsNot != 0 || DestinationAssets != 0 || DestinationAssetsNot != 0 || CrossesHost is not null || Opaque is not null
            || ValueIn is not null || ValueNotIn is not null || ValueMatches is not null;

    // The flag before the name regexes: it spares mapped calls the unmapped-tool rules' tool globs.
    internal bool MatchesCall(ToolCall call, bool unmapped)
        => (Unmapped is null || Unmapped == unmapped)
            && (Tools is null || Tools.IsMatch(call.Tool))
            && (Methods is null || Methods.IsMatch(call.Method))
            && (Agents is null || Agents.IsMatch(call.Agent.Id))
            && (Roles is null || Roles.IsMatch(call.Agent.Role));

    internal bool MatchesEffect(Effect effect, EffectMasks masks)
        => MatchesEffect(effect, masks.Resource, masks.Cover, masks.Destination, masks.DestinationCover);

    /// <param name="effect">The effect.</param>
    /// <param name="resourceAssets">The assets the resource is in (for a pattern: that some name it matches is in).</param>
    /// <param name="resourceCovering">The assets the resource is wholly inside (for a name, the same as <paramref name="resourceAssets"/>).</param>
    /// <param name="destinationAssets">The assets the destination is in.</param>
    /// <param name="destinationCovering">The assets the destination is wholly inside.</param>
    internal bool MatchesEffect(Effect effect, ulong resourceAssets, ulong resourceCovering, ulong destinationAssets, ulong destinationCovering)
    {
        if (Kinds != 0 && (Kinds & (1 << (int)effect.Kind)) == 0)
        {
            return false;
        }

        if (Assets != 0 && (Assets & resourceAssets) == 0)
        {
            return false;
        }

        if ((AssetsNot & resourceCovering) != 0)
        {
            return false;
        }

        if (DestinationAssets != 0 && (DestinationAssets & destinationAssets) == 0)
        {
            return false;
        }

        if ((DestinationAssetsNot & destinationCovering) != 0)
        {
            return false;
        }

        if (CrossesHost is { } crosses && crosses != ResourcePattern.CrossesHost(effect))
        {
            return false;
        }

        if (Opaque is { } opaque && opaque != ((effect.Flags & EffectFlags.Opaque) != 0))
        {
            return false;
        }

        if (ValueIn is not null && (effect.Value is null || Array.IndexOf(ValueIn, effect.Value) < 0))
        {
            return false;
        }

        // An absent value (a delete, a write the mapping gives no value for) is "not plainly" any listed value.
        if (ValueNotIn is not null && effect.Value is not null && Array.IndexOf(ValueNotIn, effect.Value) >= 0)
        {
            return false;
        }

        return ValueMatches is null || (effect.Value is not null && ValueMatches.IsMatch(effect.Value));
    }
}
