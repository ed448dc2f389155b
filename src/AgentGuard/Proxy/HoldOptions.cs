namespace AgentGuard.Proxy;

/// <summary>The <c>AgentGuard:Holds</c> section: how calls a rule decides <c>hold</c> wait for reviewers.</summary>
public sealed class HoldOptions
{
    /// <summary>
    /// How long a held call waits when its rule gives no <c>hold: { timeout }</c>; then it is denied.
    /// Default 45 s: under the MCP TypeScript SDK's 60 s request timeout, so an agent that asked for no
    /// progress sees the denial rather than its own timeout. 1 s to 30 min.
    /// </summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// How often a held call whose agent gave a progress token (and accepts an event stream) is sent a
    /// <c>notifications/progress</c>, which resets the client's request timer. Default 10 s; 1 s to 5 min.
    /// </summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(10);
}
