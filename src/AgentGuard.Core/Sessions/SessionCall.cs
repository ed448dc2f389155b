using AgentGuard.Policy;

namespace AgentGuard.Sessions;

/// <summary>A <c>tools/call</c> an agent made in a session, as oversight needs it after the request is gone.</summary>
/// <param name="Time">When it was decided.</param>
/// <param name="Tool">The tool called.</param>
/// <param name="Arguments">The arguments as canonical JSON text (<c>{}</c> when none).</param>
/// <param name="Decision">Allow, flag or deny: a denied call never ran.</param>
/// <param name="Reference">The audit reference of its decision.</param>
public sealed record SessionCall(DateTimeOffset Time, string Tool, string Arguments, DecisionKind Decision, string Reference);
