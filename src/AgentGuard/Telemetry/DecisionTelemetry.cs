using System.Diagnostics;
using AgentGuard.Audit;
using AgentGuard.Protocols;

namespace AgentGuard.Telemetry;

/// <summary>
/// What <c>McpInspectionMiddleware</c> reports, in one call per outcome: each call counts the
/// outcome in <see cref="GuardMetrics"/> and describes it on the request's span. Keeps metrics and
/// spans out of the middleware, which only says what happened.
/// </summary>
internal sealed class DecisionTelemetry(GuardMetrics metrics)
{
    /// <summary>The reason recorded when the audit log could not take the decisions.</summary>
    public const string AuditUnavailable = "audit-unavailable";

    /// <summary>The reason recorded when the guard itself failed while inspecting.</summary>
    public const string InternalError = "internal-error";

    /// <summary>Starts the span of one inspected request (<see langword="null"/> when tracing is off); dispose it when the request is done.</summary>
    public static Activity? StartInspection(HttpRequest request) => DecisionSpans.Start(request);

    /// <summary>The decisions of one request took effect, <paramref name="elapsed"/> after its body began to be read.</summary>
    public void Decided(HttpRequest request, McpExchange exchange, DecisionRecord[] records, TimeSpan elapsed)
    {
        metrics.RecordDecisions(records, elapsed);
        DecisionSpans.Decided(request, exchange, records, metrics);
    }

    /// <summary>The decision of one S3 request took effect, <paramref name="elapsed"/> after it began to be read.</summary>
    public void Decided(DecisionRecord record, TimeSpan elapsed) => metrics.RecordDecisions([record], elapsed);

    /// <summary>A request was denied because it could not be inspected or recorded.</summary>
    /// <param name="reason">One of <see cref="GuardMetrics.InspectionFailureReasons"/>.</param>
    /// <param name="reference">The audit reference of the denial, when it has exactly one.</param>
    public void Rejected(string reason, string? reference)
    {
        metrics.InspectionFailed(reason);
        DecisionSpans.Rejected(reason, reference);
    }

    /// <summary>The guard failed while inspecting; the request was denied with <paramref name="reference"/>.</summary>
    public void Failed(Exception exception, string reference)
    {
        metrics.InspectionFailed(InternalError);
        DecisionSpans.Failed(exception, reference);
    }

    /// <summary>The tool server answered a forwarded request after <paramref name="elapsed"/>.</summary>
    public void UpstreamAnswered(TimeSpan elapsed) => metrics.UpstreamAnswered(elapsed);
}
