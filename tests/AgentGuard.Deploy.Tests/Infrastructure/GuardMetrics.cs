namespace AgentGuard.Deploy.Infrastructure;

/// <summary>
/// The Prometheus metrics the guard's admin plane exports (/metrics, prometheus-net), as the alerts
/// and the dashboard use them. A rule or panel naming anything else names a metric that does not exist.
/// </summary>
internal static class GuardMetrics
{
    public static readonly IReadOnlySet<string> Counters = new HashSet<string>(StringComparer.Ordinal)
    {
        "agentguard_tool_calls_total",           // {agent, tool, decision=allow|flag|deny}
        "agentguard_findings_total",             // {finding, severity, agent}
        "agentguard_inspection_failures_total",  // {reason}
        "agentguard_policy_reloads_total",       // {result=success|failure}
        "agentguard_audit_records_total",
        "agentguard_audit_errors_total",
        "agentguard_evaluations_rescored_total",            // {evaluator, evaluation, outcome=consistent|divergent|unverified}
        "agentguard_evaluation_overscored_points_total",    // {evaluator, evaluation}
        "agentguard_evaluation_underscored_points_total",   // {evaluator, evaluation}
        "agentguard_evaluation_flips_total",                // {evaluator, evaluation, direction=to-pass|to-fail}
        "agentguard_evaluation_threshold_scores_total",     // {evaluator, evaluation}
        "agentguard_evaluation_near_threshold_total",       // {evaluator, evaluation, score=submitted|rescored}
        "agentguard_oversight_findings_total",              // {finding, severity, agent}
        "agentguard_oversight_sessions_total",              // {agent, observed=true|false|unknown, peer_context}
        "agentguard_holds_ended_total",                     // {outcome=approved|denied|timed-out|cancelled|abandoned|unavailable}
        "agentguard_evidence_dropped_total",                // {reason=cap|undecodable|budget}
    };

    public static readonly IReadOnlySet<string> Histograms = new HashSet<string>(StringComparer.Ordinal)
    {
        "agentguard_decision_duration_seconds",
        "agentguard_upstream_duration_seconds",
        "agentguard_audit_write_duration_seconds",
        "agentguard_evaluation_bias_points",                // {evaluator, evaluation}: submitted minus re-scored
        "agentguard_hold_wait_seconds",                     // how long held calls waited for reviewers
    };

    public static readonly IReadOnlySet<string> Gauges = new HashSet<string>(StringComparer.Ordinal)
    {
        "agentguard_policy_info",                // {version} = 1
        "agentguard_holds_pending",              // held calls waiting for reviewers now
        "agentguard_hold_oldest_waiting_seconds", // how long the oldest has waited, 0 when none
        "agentguard_evidence_bytes",             // evidence held now, live and ended sessions
    };

    /// <summary>Whether <paramref name="series"/> (a metric name as it appears in PromQL) is exported.</summary>
    public static bool IsExported(string series)
    {
        if (Counters.Contains(series) || Gauges.Contains(series))
        {
            return true;
        }

        foreach (var suffix in (ReadOnlySpan<string>)["_bucket", "_count", "_sum"])
        {
            if (series.EndsWith(suffix, StringComparison.Ordinal) && Histograms.Contains(series[..^suffix.Length]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every agentguard_* name in a PromQL expression.</summary>
    public static IEnumerable<string> NamesIn(string promql)
        => System.Text.RegularExpressions.Regex.Matches(promql, @"\bagentguard_[a-z_]+\b").Select(m => m.Value).Distinct();
}
