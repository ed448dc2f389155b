namespace AgentGuard.Admin;

/// <summary>
/// One signed-in browser: who (a named reviewer, or the admin token's holder, who reads but never
/// votes), the CSRF token its forms carry, and when it expires.
/// </summary>
/// <param name="Name">The reviewer's name, or <c>admin</c>.</param>
/// <param name="CanVote">Whether this is a named reviewer (the admin token and loopback readers cannot vote).</param>
/// <param name="CsrfToken">Random, per login: every state-changing form must carry it.</param>
/// <param name="Expires">When the login ends, however active.</param>
internal sealed record ReviewLogin(string Name, bool CanVote, string CsrfToken, DateTimeOffset Expires);
