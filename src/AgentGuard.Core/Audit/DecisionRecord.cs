using AgentGuard.Policy;

namespace AgentGuard.Audit;

/// <summary>One decision as it is recorded: when, about which call, what was decided, and the reference the agent may be shown.</summary>
/// <param name="Time">When the decision was made.</param>
/// <param name="Call">The call decided.</param>
/// <param name="Decision">The decision, with its rule, finding and effects.</param>
/// <param name="Reference">The decision's reference: shown to the agent on a denial, and linking the upstream record of a forwarded call.</param>
/// <param name="PolicyVersion">The version of the policy that decided.</param>
public sealed record DecisionRecord(DateTimeOffset Time, ToolCall Call, Decision Decision, string Reference, string PolicyVersion);
