using AgentGuard.Policy;

namespace AgentGuard.Audit;

/// <summary>One decision as it is recorded: when, about which call, what was decided, and the reference the agent was shown.</summary>
/// <param name="Time">When the decision was made.</param>
/// <param name="Call">The call decided.</param>
/// <param name="Decision">The decision, with its rule, finding and effects.</param>
/// <param name="Reference">The reference the agent was shown (denials), otherwise <see langword="null"/>.</param>
public sealed record DecisionRecord(DateTimeOffset Time, ToolCall Call, Decision Decision, string? Reference);
