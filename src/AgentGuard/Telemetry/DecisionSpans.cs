using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgentGuard.Audit;
using AgentGuard.Policy;
using AgentGuard.Protocols;

namespace AgentGuard.Telemetry;

/// <summary>
/// The spans of decided calls.
/// </summary>
/// <remarks>
/// <para>
/// Shape: one span per inspected HTTP request, started before the body is read and current while
/// YARP forwards, so the HttpClient span, and the <c>traceparent</c> the tool server receives, are
/// its children. A single message, the only shape MCP has allowed since 2025-06-18 dropped JSON-RPC
/// batching, is described on that span itself: one span per decided call, at one span per request.
/// A batch gets one child span per member instead, because its one forwarded HTTP request cannot
/// be the child of any single member's span; the children start when the request span did and end
/// when the decisions are recorded, the interval <c>agentguard_decision_duration_seconds</c> measures.
/// </para>
/// <para>
/// Names follow the MCP convention <c>{mcp.method.name} {target}</c>, with the same bounded tool
/// label as the metrics: a span name an agent could choose would be an unbounded set in the trace
/// backend. The agent's own spelling of the tool goes in <c>gen_ai.tool.name</c>, cut to
/// <see cref="MaxValueLength"/> characters.
/// </para>
/// <para>
/// Nothing here touches the response: the agent must not be able to tell from a header whether
/// its calls are traced (DESIGN.md, principle 4).
/// </para>
/// </remarks>
internal static class DecisionSpans
{
    /// <summary>The longest agent-supplied attribute value recorded; longer ones are cut.</summary>
    public const int MaxValueLength = 256;

    /// <summary>The span's name until the body has been decoded (and for good when it cannot be).</summary>
    public const string InspectName = "mcp inspect";

    /// <summary>The request span's name for a JSON-RPC batch.</summary>
    public const string BatchName = "mcp batch";

    private const string ResponseName = "jsonrpc response";
    private const string SessionHeader = "Mcp-Session-Id";
    private const string ProtocolVersionHeader = "MCP-Protocol-Version";
    private const string ExecuteTool = "execute_tool";

    /// <summary>Starts the span for one inspected request, with its session; <see langword="null"/> when nobody listens.</summary>
    public static Activity? Start(HttpRequest request)
    {
        var span = GuardActivitySource.Source.StartActivity(InspectName, ActivityKind.Internal);
        if (span is { IsAllDataRequested: true })
        {
            SetIfPresent(span, SpanAttributes.McpSessionId, Header(request, SessionHeader));
            SetIfPresent(span, SpanAttributes.McpProtocolVersion, Header(request, ProtocolVersionHeader));
        }

        return span;
    }

    /// <summary>Describes the decisions of one request on its span (or, for a batch, on one child span per member).</summary>
    public static void Decided(HttpRequest request, McpExchange exchange, DecisionRecord[] records, GuardMetrics labels)
    {
        var span = GuardActivitySource.Current;
        if (span is null || !span.IsAllDataRequested)
        {
            return;
        }

        var messages = exchange.Messages;
        if (!exchange.IsBatch)
        {
            // The session and protocol version are on the span already.
            Describe(span, messages[0], records[0], labels, null, null);
            return;
        }

        var session = Header(request, SessionHeader);
        var protocolVersion = Header(request, ProtocolVersionHeader);
        span.DisplayName = BatchName;
        span.SetTag(SpanAttributes.BatchSize, messages.Length);
        for (var i = 0; i < messages.Length; i++)
        {
            using var member = GuardActivitySource.Source.StartActivity(
                InspectName, ActivityKind.Internal, span.Context, tags: null, links: null, startTime: span.StartTimeUtc);
            if (member is { IsAllDataRequested: true })
            {
                Describe(member, messages[i], records[i], labels, session, protocolVersion);
            }
        }
    }

    /// <summary>Marks the current request span as denied because the request could not be inspected or recorded.</summary>
    public static void Rejected(string reason, string? reference)
    {
        var span = GuardActivitySource.Current;
        if (span is null || !span.IsAllDataRequested)
        {
            return;
        }

        span.SetTag(SpanAttributes.InspectionFailure, reason);
        span.SetTag(SpanAttributes.Decision, TelemetryLabels.Decision(DecisionKind.Deny));
        span.SetTag(SpanAttributes.Rule, Decision.InspectionRuleId);
        span.SetTag(SpanAttributes.Finding, Finding.InspectionFailure.Category);
        span.SetTag(SpanAttributes.Severity, TelemetryLabels.Severity(Finding.InspectionFailure.Severity));
        SetIfPresent(span, SpanAttributes.AuditReference, reference);
    }

    /// <summary>Marks the current request span as failed: the guard itself broke, and the call was denied.</summary>
    public static void Failed(Exception exception, string reference)
    {
        var span = GuardActivitySource.Current;
        if (span is null)
        {
            return;
        }

        // Only the type: exception text can carry tool arguments, which stay at Trace.
        span.SetStatus(ActivityStatusCode.Error);
        span.SetTag(SpanAttributes.ErrorType, exception.GetType().FullName);
        span.SetTag(SpanAttributes.Decision, TelemetryLabels.Decision(DecisionKind.Deny));
        span.SetTag(SpanAttributes.AuditReference, reference);
    }

    private static void Describe(Activity span, McpMessage message, DecisionRecord record, GuardMetrics labels, string? session, string? protocolVersion)
    {
        var (call, decision) = (record.Call, record.Decision);
        span.DisplayName = message.Kind == McpMessageKind.Response ? ResponseName : labels.SpanName(call);
        if (call.Tool is { } tool)
        {
            span.SetTag(SpanAttributes.GenAiOperationName, ExecuteTool);
            span.SetTag(SpanAttributes.GenAiToolName, Cut(tool));
        }

        if (call.Method.Length > 0)
        {
            span.SetTag(SpanAttributes.McpMethodName, Cut(call.Method));
        }

        if (message.Id.ValueKind is JsonValueKind.String or JsonValueKind.Number)
        {
            span.SetTag(SpanAttributes.JsonRpcRequestId, Cut(message.Id.ValueKind == JsonValueKind.String ? message.Id.GetString()! : message.Id.GetRawText()));
        }

        SetIfPresent(span, SpanAttributes.McpResourceUri, call.ResourceUri is null ? null : Cut(call.ResourceUri));
        SetIfPresent(span, SpanAttributes.McpSessionId, session);
        SetIfPresent(span, SpanAttributes.McpProtocolVersion, protocolVersion);
        span.SetTag(SpanAttributes.Decision, TelemetryLabels.Decision(decision.Kind));
        span.SetTag(SpanAttributes.Rule, decision.RuleId);
        if (decision.Finding is { } finding)
        {
            span.SetTag(SpanAttributes.Finding, finding.Category);
            span.SetTag(SpanAttributes.Severity, TelemetryLabels.Severity(finding.Severity));
        }

        span.SetTag(SpanAttributes.AuditReference, record.Reference);
        span.SetTag(SpanAttributes.PolicyVersion, record.PolicyVersion);
    }

    private static string? Header(HttpRequest request, string name)
        => request.Headers.TryGetValue(name, out var value) && value.Count > 0 && !string.IsNullOrEmpty(value[0]) ? Cut(value[0]!) : null;

    private static void SetIfPresent(Activity span, string name, string? value)
    {
        if (value is not null)
        {
            span.SetTag(name, value);
        }
    }

    private static string Cut(string value) => value.Length <= MaxValueLength ? value : value[..MaxValueLength];
}
