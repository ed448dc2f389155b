namespace AgentGuard.Proxy;

/// <summary>The request feature holding the agent a gateway authenticated the request as.</summary>
internal sealed record AuthenticatedAgent(Agent Agent);
