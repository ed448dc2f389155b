using AgentGuard.Proxy;
using AgentGuard.Sessions;
using Prometheus;

namespace AgentGuard.Telemetry;

/// <summary>
/// The session and evidence series: live sessions, ends by reason, evictions, evidence kept and
/// dropped, and orchestrator headers the guard would not trust. Every label is from a closed set.
/// </summary>
internal sealed class SessionMetrics
{
    private readonly Gauge _live;
    private readonly Counter.Child[] _ended;
    private readonly Counter.Child _evicted;
    private readonly Counter.Child _evidenceKept;
    private readonly Counter.Child _droppedCap;
    private readonly Counter.Child _droppedUndecodable;
    private readonly Counter.Child _droppedBudget;
    private readonly Gauge _evidenceBytes;
    private readonly Counter.Child[] _untrustedSession;
    private readonly Counter.Child[] _untrustedObserved;
    private readonly Counter _lineage;

    public SessionMetrics(IMetricFactory factory, CollectorRegistry registry)
    {
        _registry = registry;
        _live = factory.CreateGauge("agentguard_sessions_live", "Sessions the guard holds now.");
        var ended = factory.CreateCounter(
            "agentguard_sessions_ended_total",
            "Sessions ended, by reason: end-tool, deleted (MCP DELETE), idle, evicted (the store was full), shutdown.",
            ["reason"]);
        _ended = new Counter.Child[Enum.GetValues<SessionEndReason>().Length];
        foreach (var reason in Enum.GetValues<SessionEndReason>())
        {
            _ended[(int)reason] = ended.WithLabels(ReasonLabel(reason));
        }

        _evicted = factory.CreateCounter(
            "agentguard_sessions_evicted_total",
            "Sessions ended early because the live-session cap (AgentGuard:Sessions:MaxSessions) was reached; oversight of their later calls starts afresh.").WithLabels();
        _evidenceKept = factory.CreateCounter(
            "agentguard_evidence_observed_total",
            "Tool results and resource contents observed on their way to the agent and kept as evidence.").WithLabels();
        var dropped = factory.CreateCounter(
            "agentguard_evidence_dropped_total",
            "Tool results not kept as evidence, by reason: cap (the session's evidence cap was reached), undecodable (the response could not be read as MCP), budget (kept, then dropped oldest first to hold the guard's evidence within AgentGuard:Sessions:MaxEvidenceBytes).",
            ["reason"]);
        _droppedCap = dropped.WithLabels("cap");
        _droppedBudget = dropped.WithLabels("budget");
        _evidenceBytes = factory.CreateGauge(
            "agentguard_evidence_bytes",
            "Bytes of evidence the guard holds now, live sessions and ended ones (text counts two bytes a character); at most AgentGuard:Sessions:MaxEvidenceBytes, give or take what arrives while the oldest is dropped.");
        _droppedUndecodable = dropped.WithLabels("undecodable");
        var untrusted = factory.CreateCounter(
            "agentguard_untrusted_session_headers_total",
            "Orchestrator session or observed headers ignored because they were not trusted, by header and reason (unsigned, bad-signature, expired, other-session: an observed header signed for another session).",
            ["header", "reason"]);
        _untrustedSession = [untrusted.WithLabels("session", "unsigned"), untrusted.WithLabels("session", "bad-signature"), untrusted.WithLabels("session", "expired"), untrusted.WithLabels("session", "other-session")];
        _lineage = factory.CreateCounter(
            "agentguard_lineage_recorded_total",
            "Resources that joined a protected asset through a session's lineage, by how: copy, move, content (an upload recognised as a model format), listing. Copies past a session's lineage cap (AgentGuard:Sessions:MaxLineage) are denied with rule lineage-full instead.",
            ["how"]);
        _untrustedObserved = [untrusted.WithLabels("observed", "unsigned"), untrusted.WithLabels("observed", "bad-signature"), untrusted.WithLabels("observed", "expired"), untrusted.WithLabels("observed", "other-session")];
    }

    private readonly CollectorRegistry _registry;

    /// <summary>Reads the live-session count and the evidence held and reclaimed from <paramref name="store"/> at every scrape.</summary>
    public void Track(ISessionStore store) => _registry.AddBeforeCollectCallback(() =>
    {
        _live.Set(store.Count);
        _evidenceBytes.Set(store.Budget.Used);
        _droppedBudget.IncTo(store.EvidenceReclaimed);
    });

    public void Ended(SessionEndReason reason)
    {
        _ended[(int)reason].Inc();
        if (reason == SessionEndReason.Evicted)
        {
            _evicted.Inc();
        }
    }

    public void EvidenceKept() => _evidenceKept.Inc();

    /// <summary>Counts a lineage entry; <paramref name="how"/> is one of <see cref="LineageEntry"/>'s closed set.</summary>
    public void LineageRecorded(string how) => _lineage.WithLabels(how).Inc();

    public void EvidenceDroppedByCap() => _droppedCap.Inc();

    public void EvidenceUndecodable() => _droppedUndecodable.Inc();

    /// <summary>Counts a header that was not trusted (<paramref name="check"/> is not <see cref="SessionHeaderCheck.Trusted"/>).</summary>
    public void Untrusted(bool observedHeader, SessionHeaderCheck check)
    {
        var index = check switch
        {
            SessionHeaderCheck.BadSignature => 1,
            SessionHeaderCheck.Expired => 2,
            SessionHeaderCheck.OtherSession => 3,
            _ => 0,
        };
        (observedHeader ? _untrustedObserved : _untrustedSession)[index].Inc();
    }

    private static string ReasonLabel(SessionEndReason reason) => reason switch
    {
        SessionEndReason.EndTool => "end-tool",
        SessionEndReason.Deleted => "deleted",
        SessionEndReason.Idle => "idle",
        SessionEndReason.Evicted => "evicted",
        _ => "shutdown",
    };
}
