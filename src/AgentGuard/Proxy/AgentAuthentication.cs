namespace AgentGuard.Proxy;

/// <summary>The agent a request's credential names, or why it names none.</summary>
internal readonly record struct AgentAuthentication(Agent? Agent, string? Failure)
{
    public static AgentAuthentication Of(Agent agent) => new(agent, null);

    public static AgentAuthentication Refused(string failure) => new(null, failure);
}
