namespace AgentGuard.Oversight;

/// <summary>Every oversight finding, as it is recorded, for whoever embeds the guard (the demo, tests).</summary>
public sealed class OversightFeed
{
    /// <summary>Raised once per finding, on oversight's thread, after it is recorded.</summary>
    public event Action<OversightFinding>? Recorded;

    internal void Publish(OversightFinding finding) => Recorded?.Invoke(finding);
}
