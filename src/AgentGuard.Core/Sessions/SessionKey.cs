namespace AgentGuard.Sessions;

/// <summary>
/// Which session a call belongs to: sessions are keyed by agent and id, so one agent cannot reach
/// another's session by naming its id.
/// </summary>
/// <param name="Agent">The agent id the guard vouches for.</param>
/// <param name="Id">The session id: the <c>Mcp-Session-Id</c>, a trusted orchestrator header, or one the guard made from an idle gap.</param>
public readonly record struct SessionKey(string Agent, string Id)
{
    /// <inheritdoc/>
    public override string ToString() => Agent + "/" + Id;
}
