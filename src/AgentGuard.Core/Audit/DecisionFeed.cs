namespace AgentGuard.Audit;

/// <summary>
/// Where decisions are recorded before they take effect. Today its subscribers are in-process
/// (the demo's table, tests); it is the seam the durable audit log attaches to.
/// </summary>
public sealed class DecisionFeed
{
    /// <summary>Raised for every decision, on the request's thread, before the decision takes effect.</summary>
    public event Action<DecisionRecord>? Recorded;

    /// <summary>Records <paramref name="record"/>.</summary>
    public void Publish(DecisionRecord record) => Recorded?.Invoke(record);
}
