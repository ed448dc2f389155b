using AgentGuard.Audit;
using AgentGuard.Policy;
using AgentGuard.Telemetry;

namespace AgentGuard.Proxy;

/// <summary>
/// Step 5 of the flow: decisions are published and made durable in the audit log before they take
/// effect; when the log cannot be written, the caller denies everything. Also records what the
/// tool server answered to forwarded calls, and denials no rule made (requests that could not be
/// decided).
/// </summary>
internal sealed class DecisionRecorder(
    DecisionFeed feed,
    PolicyStore policies,
    TimeProvider timeProvider,
    DecisionTelemetry telemetry,
    ILogger<McpInspectionMiddleware> logger,
    AuditLog? audit = null)
{
    /// <summary>Makes the decisions durable before they take effect; false when the audit log cannot be written.</summary>
    public async ValueTask<bool> RecordAsync(DecisionRecord[] records, CancellationToken cancellationToken)
    {
        foreach (var record in records)
        {
            feed.Publish(record);
        }

        if (audit is null)
        {
            return true;
        }

        try
        {
            await audit.AppendAsync(records, cancellationToken);
            return true;
        }
        catch (AuditWriteException ex)
        {
            McpInspectionMiddleware.LogAuditUnavailable(logger, ex.Message);
            return false;
        }
    }

    /// <summary>Records the tool server's answer to the forwarded calls among <paramref name="records"/>.</summary>
    public void RecordUpstream(int status, DecisionRecord[] records, TimeSpan latency)
    {
        telemetry.UpstreamAnswered(latency);
        if (audit is not null)
        {
            foreach (var record in records)
            {
                if (!record.Decision.IsDenied)
                {
                    audit.AppendUpstream(record.Reference, status, latency);
                }
            }
        }
    }

    /// <summary>Records a denial that no policy rule made (the request could not be decided); it is a denial whether or not the record lands.</summary>
    public Task RecordRejectionAsync(Agent agent, string? session, string detail, string reference, CancellationToken cancellationToken)
        => RecordRejectionAsync(new ToolCall(agent, session, "mcp", string.Empty, null, default), detail, reference, cancellationToken);

    /// <summary>Records a denial that no policy rule made, for a call known as far as it could be read (an S3 request's operation).</summary>
    public async Task RecordRejectionAsync(ToolCall call, string detail, string reference, CancellationToken cancellationToken)
    {
        await RecordAsync([new DecisionRecord(timeProvider.GetUtcNow(), call, Decision.InspectionFailure(detail), reference, policies.Current.Version)], cancellationToken);
    }
}
