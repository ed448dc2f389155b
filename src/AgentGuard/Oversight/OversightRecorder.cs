using AgentGuard.Audit;
using AgentGuard.Proxy;
using AgentGuard.Telemetry;

namespace AgentGuard.Oversight;

/// <summary>
/// Where an oversight finding goes: the audit log (a record of its own, found by
/// <c>audit query --finding</c>), the metrics, and the guard's log.
/// </summary>
internal sealed partial class OversightRecorder(AuditLog? audit, OversightMetrics metrics, OversightFeed feed, ILogger<OversightRecorder> logger)
{
    public async ValueTask RecordAsync(OversightFinding finding, CancellationToken cancellationToken)
    {
        var reference = AuditReference.Create();
        metrics.Found(finding);
        LogFinding(logger, finding.Finding.Category, finding.Finding.Severity.ToString().ToLowerInvariant(), finding.Session.Agent, finding.Session.Id, finding.Subject, finding.Submitted, finding.Rescored, reference, finding.Message);
        if (audit is not null)
        {
            try
            {
                await audit.AppendAsync(finding, reference, cancellationToken);
            }
            catch (AuditWriteException ex)
            {
                // Nothing waits on a finding, so nothing to deny: the log line above and the metric keep it.
                LogAuditUnavailable(logger, reference, ex.Message);
            }
        }

        feed.Publish(finding);
    }

    /// <summary>An event the request path could not queue.</summary>
    public void Dropped() => metrics.Dropped();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Oversight finding {Finding} ({Severity}) agent={Agent} session={Session} subject={Subject} submitted={Submitted} rescored={Rescored} ref={Reference}: {Detail}")]
    private static partial void LogFinding(ILogger logger, string finding, string severity, string agent, string session, string? subject, string? submitted, string? rescored, string reference, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Oversight finding {Reference} could not be written to the audit log: {Error}")]
    private static partial void LogAuditUnavailable(ILogger logger, string reference, string error);
}
