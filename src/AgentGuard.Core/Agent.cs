namespace AgentGuard;

/// <summary>An identity the guard vouches for: who makes a tool call, and in what role.</summary>
/// <param name="Id">The agent's id, e.g. <c>gemini-agent-1</c>.</param>
/// <param name="Role">The agent's role, e.g. <c>evaluator</c> or <c>operator</c>.</param>
public sealed record Agent(string Id, string Role);
