using AgentGuard.Holds;
using Prometheus;

namespace AgentGuard.Telemetry;

/// <summary>
/// The held-call series: how many wait now and for how long the oldest has, holds ended by outcome,
/// and how long they waited. Labels are the closed set of <see cref="HoldOutcome"/>; no agent text.
/// </summary>
internal sealed class HoldMetrics
{
    private readonly CollectorRegistry _registry;
    private readonly Gauge _pending;
    private readonly Gauge _oldest;
    private readonly Counter.Child[] _ended;
    private readonly Histogram _wait;

    public HoldMetrics(IMetricFactory factory, CollectorRegistry registry)
    {
        _registry = registry;
        _pending = factory.CreateGauge("agentguard_holds_pending", "Held calls waiting for reviewers now.");
        _oldest = factory.CreateGauge(
            "agentguard_hold_oldest_waiting_seconds",
            "How long the oldest held call has waited for reviewers, 0 when none waits. The AgentGuardHeldCallWaiting alert watches it.");
        var ended = factory.CreateCounter(
            "agentguard_holds_ended_total",
            "Held calls ended, by outcome: approved (forwarded), denied, timed-out, cancelled (by the agent), abandoned, unavailable (the hold queue could not be reached).",
            ["outcome"]);
        var outcomes = Enum.GetValues<HoldOutcome>();
        _ended = new Counter.Child[outcomes.Length];
        foreach (var outcome in outcomes)
        {
            _ended[(int)outcome] = ended.WithLabels(Audit.HoldRecord.EventOf(outcome));
        }

        _wait = factory.CreateHistogram(
            "agentguard_hold_wait_seconds",
            "How long held calls waited before they were decided, whatever the outcome.",
            new HistogramConfiguration { Buckets = [1, 5, 10, 20, 30, 45, 60, 120, 300, 600, 1800] });
    }

    /// <summary>Reads the waiting calls from <paramref name="queue"/> at each scrape.</summary>
    public void Track(IHoldQueue queue, TimeProvider timeProvider) => _registry.AddBeforeCollectCallback(() =>
    {
        var pending = queue.Pending();
        _pending.Set(pending.Count);
        _oldest.Set(pending.Count == 0 ? 0 : Math.Max(0, (timeProvider.GetUtcNow() - pending[0].Call.HeldAt).TotalSeconds));
    });

    /// <summary>Counts a hold's end and the time it waited.</summary>
    public void Ended(HoldOutcome outcome, TimeSpan waited)
    {
        _ended[(int)outcome].Inc();
        _wait.Observe(waited.TotalSeconds);
    }
}
