using Prometheus;

namespace AgentGuard.Shared;

/// <summary>
/// How current this replica's copy of the shared state is: whether PostgreSQL answers, how old the
/// last fact from another replica was when it arrived, and the writes still queued or dropped.
/// </summary>
internal sealed class SharedStateMetrics
{
    private readonly Gauge.Child _connected;
    private readonly Gauge.Child _lag;
    private readonly Gauge.Child _queued;
    private readonly Counter.Child _dropped;
    private readonly Counter.Child _abandoned;

    public SharedStateMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _connected = factory.CreateGauge(
            "agentguard_shared_state_connected",
            "1 while this replica listens to the shared PostgreSQL (AgentGuard:SharedState:Postgres); 0 while it cannot: holds are then denied and lineage is decided from the local copy.").WithLabels();
        _lag = factory.CreateGauge(
            "agentguard_shared_state_lag_seconds",
            "Seconds between another replica's write of a lineage or evidence fact and this replica applying it to its local copy (the last one applied): how stale the copy the decisions read is.").WithLabels();
        _queued = factory.CreateGauge(
            "agentguard_shared_state_queued_writes",
            "Lineage and evidence facts of this replica not yet written to PostgreSQL.").WithLabels();
        _dropped = factory.CreateCounter(
            "agentguard_shared_state_dropped_writes_total",
            "Lineage, evidence and call facts never written to PostgreSQL: the queue (AgentGuard:SharedState:MaxQueuedWrites) was full while it was unreachable, or PostgreSQL refused them; the other replicas do not know them.").WithLabels();
        _abandoned = factory.CreateCounter(
            "agentguard_holds_abandoned_total",
            "Held calls of a replica that stopped, recorded as abandoned by this replica.").WithLabels();
    }

    public void Connected(bool connected) => _connected.Set(connected ? 1 : 0);

    public void Applied(double lagSeconds) => _lag.Set(Math.Max(0, lagSeconds));

    public void Queued(int count) => _queued.Set(count);

    public void Dropped() => _dropped.Inc();

    public void Abandoned(int count) => _abandoned.Inc(count);
}
