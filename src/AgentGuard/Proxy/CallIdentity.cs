using AgentGuard.Sessions;

namespace AgentGuard.Proxy;

/// <summary>Who made a call and in which session: step 1 of the flow, from sources the guard trusts, never from what the agent's model writes.</summary>
/// <param name="Agent">The agent this sidecar vouches for.</param>
/// <param name="Session">The call's session, live in the store.</param>
internal readonly record struct CallIdentity(Agent Agent, Session Session);
