using System.Collections.Frozen;
using AgentGuard.Audit;
using AgentGuard.Policy;
using AgentGuard.Protocols;
using Prometheus;

namespace AgentGuard.Telemetry;

/// <summary>
/// The guard's Prometheus metrics, served on the admin plane's <c>/metrics</c> only. Each host has a
/// registry of its own: tests run many guards in one process, and the static default registry
/// would add their counts together (it would also bring in process-wide adapters nobody asked for).
/// Besides the <c>agentguard_*</c> series it holds the client library's standard <c>process_*</c>
/// and <c>dotnet_*</c> ones.
/// </summary>
/// <remarks>
/// <para>
/// Every label comes from a closed set, never from agent text: <c>decision</c> is allow|flag|deny;
/// <c>tool</c> is a tool the policy maps, a method from <see cref="KnownMethods"/> (MCP methods and the
/// S3 operations of <see cref="Protocols.S3.S3Operations.All"/>), or <c>other</c>;
/// <c>finding</c> and <c>severity</c> come from the policy's rules (plus the two built-in findings);
/// <c>reason</c> from the middleware's fixed rejection reasons; <c>agent</c> is the one configured
/// id this sidecar vouches for. An agent inventing tool names therefore adds no series.
/// </para>
/// <para>
/// The hot path does no label lookups by array: every series a decision can touch is created
/// once per policy version and found by dictionary, so recording a decision allocates nothing.
/// Creating them up front also publishes them at 0, so <c>increase()</c> sees the first denial.
/// </para>
/// </remarks>
internal sealed class GuardMetrics : IDisposable
{
    /// <summary>The label for a tool the policy does not map, or a method outside <see cref="KnownMethods"/>.</summary>
    public const string Other = "other";

    /// <summary>Methods that are their own <c>tool</c> label when a message is not a <c>tools/call</c> (MCP 2025-06-18), and the S3 operations of S3 routes.</summary>
    public static readonly FrozenSet<string> KnownMethods = FrozenSet.Create(
        StringComparer.Ordinal,
        [
            McpMethods.Initialize,
            McpMethods.Ping,
            McpMethods.ToolsList,
            McpMethods.ToolsCall,
            McpMethods.ResourcesRead,
            McpMethods.ResourcesSubscribe,
            McpMethods.ResourcesUnsubscribe,
            McpMethods.PromptsGet,
            McpMethods.NotificationsInitialized,
            "resources/list",
            "resources/templates/list",
            "prompts/list",
            "completion/complete",
            "logging/setLevel",
            "notifications/cancelled",
            "notifications/progress",
            "notifications/roots/list_changed",
            .. Protocols.S3.S3Operations.All,
        ]);

    /// <summary>The <c>reason</c> values of <c>agentguard_inspection_failures_total</c>.</summary>
    public static readonly FrozenSet<string> InspectionFailureReasons = FrozenSet.Create(
        StringComparer.Ordinal,
        "malformed",
        "header-mismatch",
        "too-large",
        "unsupported-encoding",
        "corrupt-encoding",
        "unsupported-media-type",
        "http-method",
        "audit-unavailable",
        "identity",
        "internal-error");

    private readonly PolicyStore _policies;
    private readonly AuditLog? _audit;
    private readonly string _agent;
    private readonly Counter _toolCalls;
    private readonly Counter _findings;
    private readonly Histogram _decisionDuration;
    private readonly Histogram _upstreamDuration;
    private readonly Counter _inspectionFailures;
    private readonly FrozenDictionary<string, Counter.Child> _failureSeries;
    private readonly Counter.Child _reloadSuccess;
    private readonly Counter.Child _reloadFailure;
    private readonly Gauge _policyInfo;
    private readonly Counter _auditRecords;
    private readonly Histogram _auditWriteDuration;
    private readonly Counter _auditErrors;
    private readonly Lock _policyInfoLock = new();
    private string? _policyInfoVersion;
    private Labels _labels;

    private static int s_defaultsSuppressed;

    /// <summary>
    /// Turns off prometheus-net's process-wide defaults before anything touches them: its
    /// EventCounter and Meter adapters listen to every runtime, Kestrel and HttpClient instrument,
    /// which then record on every request (measured: the largest share of what the guard added per
    /// forwarded call). The guard serves its own registry and needs none of them.
    /// </summary>
    private static void SuppressDefaultMetrics()
    {
        if (Interlocked.Exchange(ref s_defaultsSuppressed, 1) == 0)
        {
            Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
            {
                SuppressProcessMetrics = true,
                SuppressEventCounters = true,
                SuppressMeters = true,
                SuppressDebugMetrics = true,
            });
        }
    }

    public GuardMetrics(PolicyStore policies, AuditLog? audit, string agentId)
    {
        _policies = policies;
        _audit = audit;
        _agent = agentId;
        SuppressDefaultMetrics();
        Registry = Metrics.NewCustomRegistry();

        // The standard process_* and dotnet_* series (CPU, memory, GC), read at scrape time.
        DotNetStats.Register(Registry);
        var factory = Metrics.WithCustomRegistry(Registry);

        // Exemplars read the current trace context on every observation; nothing here publishes them.
        factory.ExemplarBehavior = new ExemplarBehavior { DefaultExemplarProvider = static (_, _) => Exemplar.None };

        _toolCalls = factory.CreateCounter(
            "agentguard_tool_calls_total",
            "Decided JSON-RPC messages on inspected routes. tool: a tool the policy maps, a known MCP method, or 'other'.",
            ["agent", "tool", "decision"]);
        _findings = factory.CreateCounter(
            "agentguard_findings_total",
            "Decisions that carried a finding (flag or deny), by finding category and severity.",
            ["finding", "severity", "agent"]);
        _decisionDuration = factory.CreateHistogram(
            "agentguard_decision_duration_seconds",
            "Time the guard adds to a call: from the start of reading the body to the decision being recorded (audit log included).",
            new HistogramConfiguration
            {
                // Decoding and deciding take microseconds; an fsynced audit write takes about a millisecond.
                Buckets = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
            });
        _upstreamDuration = factory.CreateHistogram(
            "agentguard_upstream_duration_seconds",
            "Time the tool server took for a forwarded, decided request, until its response was copied to the agent (an SSE stream counts until it ends).",
            new HistogramConfiguration
            {
                Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
            });
        _inspectionFailures = factory.CreateCounter(
            "agentguard_inspection_failures_total",
            "Requests on inspected routes denied because they could not be inspected or recorded, by reason.",
            ["reason"]);
        var failures = new Dictionary<string, Counter.Child>(StringComparer.Ordinal);
        foreach (var reason in InspectionFailureReasons)
        {
            failures[reason] = _inspectionFailures.WithLabels(reason);
        }

        _failureSeries = failures.ToFrozenDictionary(StringComparer.Ordinal);
        var reloads = factory.CreateCounter(
            "agentguard_policy_reloads_total",
            "Policy reload attempts, by result (a rejected reload leaves the last good version in force).",
            ["result"]);
        _reloadSuccess = reloads.WithLabels("success");
        _reloadFailure = reloads.WithLabels("failure");
        _policyInfo = factory.CreateGauge(
            "agentguard_policy_info",
            "1 for the policy version in force (first 12 hex digits of the SHA-256 of its sources).",
            ["version"]);
        _auditRecords = factory.CreateCounter(
            "agentguard_audit_records_total",
            "Records written to the audit log (decisions, upstream answers, checkpoints).");
        _auditWriteDuration = factory.CreateHistogram(
            "agentguard_audit_write_duration_seconds",
            "Time one group-commit write of the audit log took, flush included.",
            new HistogramConfiguration
            {
                Buckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
            });
        _auditErrors = factory.CreateCounter(
            "agentguard_audit_errors_total",
            "Audit log writes that failed; while they fail, inspected calls are denied.");

        Sessions = new SessionMetrics(factory, Registry);
        Holds = new HoldMetrics(factory, Registry);
        _labels = BuildLabels(policies.Current);
        SetPolicyVersion(policies.Current.Version);
        policies.Reloaded += OnReloaded;
        if (audit is not null)
        {
            audit.Written += OnAuditWritten;
            audit.WriteFailed += OnAuditWriteFailed;
        }
    }

    /// <summary>The registry <c>/metrics</c> exports.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>The session and evidence series.</summary>
    public SessionMetrics Sessions { get; }

    /// <summary>The held-call series.</summary>
    public HoldMetrics Holds { get; }

    /// <summary>Counts decisions that took effect and the time the guard spent reaching them.</summary>
    /// <param name="records">The decisions, as recorded (after an audit failure turned them into denials).</param>
    /// <param name="elapsed">From the start of reading the body until the records were durable.</param>
    public void RecordDecisions(DecisionRecord[] records, TimeSpan elapsed)
    {
        _decisionDuration.Observe(elapsed.TotalSeconds);
        var labels = CurrentLabels();
        foreach (var record in records)
        {
            var decision = record.Decision;
            SeriesFor(labels, record.Call).ByDecision[(int)decision.Kind].Inc();
            if (decision.Finding is { } finding)
            {
                (labels.Findings.TryGetValue(finding, out var series)
                    ? series
                    : _findings.WithLabels(finding.Category, TelemetryLabels.Severity(finding.Severity), _agent)).Inc();
            }
        }
    }

    /// <summary>Counts a request denied because it could not be inspected or recorded.</summary>
    /// <param name="reason">One of <see cref="InspectionFailureReasons"/>.</param>
    public void InspectionFailed(string reason)
        => (_failureSeries.TryGetValue(reason, out var series) ? series : _inspectionFailures.WithLabels(reason)).Inc();

    /// <summary>Records how long the tool server took for a forwarded request.</summary>
    public void UpstreamAnswered(TimeSpan elapsed) => _upstreamDuration.Observe(elapsed.TotalSeconds);

    /// <summary>The bounded <c>tool</c> label for <paramref name="call"/>: the policy's spelling of a mapped tool, a known method, or <see cref="Other"/>.</summary>
    public string ToolLabel(ToolCall call) => SeriesFor(CurrentLabels(), call).Label;

    /// <summary>The span name for <paramref name="call"/>, <c>{mcp.method.name} {target}</c> from the same bounded set: <c>tools/call modify_var</c>, <c>tools/list</c>, <c>other</c>.</summary>
    public string SpanName(ToolCall call) => SeriesFor(CurrentLabels(), call).SpanName;

    /// <inheritdoc/>
    public void Dispose()
    {
        _policies.Reloaded -= OnReloaded;
        if (_audit is not null)
        {
            _audit.Written -= OnAuditWritten;
            _audit.WriteFailed -= OnAuditWriteFailed;
        }
    }

    private static CallSeries SeriesFor(Labels labels, ToolCall call)
    {
        if (call.Tool is { } tool)
        {
            return labels.Tools.TryGetValue(tool, out var mapped) ? mapped : labels.OtherTool;
        }

        return labels.Methods.TryGetValue(call.Method, out var method) ? method : labels.Other;
    }

    /// <summary>The label table for the policy in force; rebuilt on the first decision after a reload.</summary>
    private Labels CurrentLabels()
    {
        var policy = _policies.Current;
        var labels = Volatile.Read(ref _labels);
        if (ReferenceEquals(labels.Policy, policy))
        {
            return labels;
        }

        // Two threads may both rebuild after a reload; the tables are equal, so either may win.
        labels = BuildLabels(policy);
        Volatile.Write(ref _labels, labels);
        return labels;
    }

    private Labels BuildLabels(PolicySet policy)
    {
        // prometheus-net hands back the existing child for label values it has seen, so a rebuild
        // after a reload keeps every count.
        var tools = new Dictionary<string, CallSeries>(policy.Tools.Comparer);
        foreach (var tool in policy.Tools.Keys)
        {
            tools[tool] = NewSeries(tool, McpMethods.ToolsCall + " " + tool);
        }

        var methods = new Dictionary<string, CallSeries>(StringComparer.Ordinal);
        foreach (var method in KnownMethods)
        {
            methods[method] = NewSeries(method, method);
        }

        var other = NewSeries(Other, Other);

        var findings = new Dictionary<Finding, Counter.Child>
        {
            [Finding.InspectionFailure] = NewFinding(Finding.InspectionFailure),
            [Finding.UnmappedTool] = NewFinding(Finding.UnmappedTool),
            [Finding.CanaryTouched] = NewFinding(Finding.CanaryTouched),
            [Finding.LineageFull] = NewFinding(Finding.LineageFull),
        };
        foreach (var rule in policy.Rules)
        {
            if (rule.Finding is { } finding && !findings.ContainsKey(finding))
            {
                findings[finding] = NewFinding(finding);
            }
        }

        return new Labels(
            policy,
            tools.ToFrozenDictionary(policy.Tools.Comparer),
            methods.ToFrozenDictionary(StringComparer.Ordinal),
            other,
            other with { SpanName = McpMethods.ToolsCall + " " + Other },
            findings.ToFrozenDictionary());
    }

    private CallSeries NewSeries(string tool, string spanName)
    {
        var byDecision = new Counter.Child[TelemetryLabels.Decisions.Length];
        for (var i = 0; i < byDecision.Length; i++)
        {
            byDecision[i] = _toolCalls.WithLabels(_agent, tool, TelemetryLabels.Decisions[i]);
        }

        return new CallSeries(tool, spanName, byDecision);
    }

    private Counter.Child NewFinding(Finding finding)
        => _findings.WithLabels(finding.Category, TelemetryLabels.Severity(finding.Severity), _agent);

    private void OnReloaded(PolicyLoadResult result)
    {
        if (result.Policy is { } policy)
        {
            _reloadSuccess.Inc();
            SetPolicyVersion(policy.Version);
        }
        else
        {
            _reloadFailure.Inc();
        }
    }

    private void SetPolicyVersion(string version)
    {
        lock (_policyInfoLock)
        {
            if (_policyInfoVersion == version)
            {
                return;
            }

            // One series, for the version in force: a dashboard joining on it never sees two.
            if (_policyInfoVersion is not null)
            {
                _policyInfo.RemoveLabelled(_policyInfoVersion);
            }

            _policyInfo.WithLabels(version).Set(1);
            _policyInfoVersion = version;
        }
    }

    private void OnAuditWritten(int records, TimeSpan elapsed)
    {
        _auditRecords.Inc(records);
        _auditWriteDuration.Observe(elapsed.TotalSeconds);
    }

    private void OnAuditWriteFailed(Exception exception) => _auditErrors.Inc();

    /// <summary>The series of one <c>tool</c> label, one per decision kind, and the name of its calls' spans.</summary>
    private sealed record CallSeries(string Label, string SpanName, Counter.Child[] ByDecision);

    /// <summary>Every series a decision under <see cref="Policy"/> can touch.</summary>
    private sealed record Labels(
        PolicySet Policy,
        FrozenDictionary<string, CallSeries> Tools,
        FrozenDictionary<string, CallSeries> Methods,
        CallSeries Other,
        CallSeries OtherTool,
        FrozenDictionary<Finding, Counter.Child> Findings);
}
