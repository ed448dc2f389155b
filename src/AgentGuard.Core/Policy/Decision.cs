using AgentGuard.Effects;
using AgentGuard.Sessions;

namespace AgentGuard.Policy;

/// <summary>The outcome of deciding one call.</summary>
/// <param name="Kind">Allow, flag, hold or deny.</param>
/// <param name="RuleId">The rule that decided (<c>default</c>, <c>strict-mode</c> or <c>inspection</c> when no rule did). Never shown to the agent.</param>
/// <param name="Finding">The behaviour found, or <see langword="null"/> for a plain allow.</param>
/// <param name="Message">The rule's message for the log and audit record. Never shown to the agent.</param>
/// <param name="Effects">The canonical effects the decision was made on.</param>
public sealed record Decision(
    DecisionKind Kind,
    string RuleId,
    Finding? Finding,
    string? Message,
    IReadOnlyList<Effect> Effects)
{
    /// <summary>The rule id used when no rule matched and the policy's default applied.</summary>
    public const string DefaultRuleId = "default";

    /// <summary>The rule id used when strict mode denied an unmapped tool.</summary>
    public const string StrictModeRuleId = "strict-mode";

    /// <summary>The rule id used when the call touched a canary.</summary>
    public const string CanaryRuleId = "canary";

    /// <summary>The rule id used when a copy of a protected resource was denied because the session's lineage is full.</summary>
    public const string LineageFullRuleId = "lineage-full";

    /// <summary>The rule id used when the call could not be understood.</summary>
    public const string InspectionRuleId = "inspection";

    /// <summary>The lineage that put the call's resources in assets (why <c>q3_notes.bin</c> was weights), or <see langword="null"/>.</summary>
    public IReadOnlyList<LineageEntry>? Lineage { get; init; }

    /// <summary>The lineage the call creates once forwarded (its copies of protected resources), not yet stamped with time and reference; or <see langword="null"/>.</summary>
    public IReadOnlyList<LineageEntry>? Carried { get; init; }

    /// <summary>
    /// A denial the guard recorded but did not enforce: only in a trial's observe mode, which measures
    /// what an agent does rather than stopping it. The kind is then <see cref="DecisionKind.Flag"/>.
    /// </summary>
    public bool WouldDeny { get; init; }

    /// <summary>For a <see cref="DecisionKind.Hold"/>: how the call is held (the rule's timeout and reviewers); otherwise <see langword="null"/>.</summary>
    public HoldTerms? Hold { get; init; }

    /// <summary>Whether the call waits for a person before it may reach the tool server.</summary>
    public bool IsHeld => Kind == DecisionKind.Hold;

    /// <summary>Whether the call must not reach the tool server.</summary>
    public bool IsDenied => Kind == DecisionKind.Deny;

    /// <summary>A denial for a request that could not be understood.</summary>
    public static Decision InspectionFailure(string message)
        => new(DecisionKind.Deny, InspectionRuleId, Finding.InspectionFailure, message, []);
}
