using AgentGuard.Audit;
using AgentGuard.Policy;
using AgentGuard.Sessions;
using AgentGuard.Telemetry;

namespace AgentGuard.Proxy;

/// <summary>
/// Learns copies made outside the guard's view from the listings agents read (a file the size of
/// the weights beside them): each joins the session's lineage at once, so the next call that moves
/// it is judged as one of the weights, and is recorded in the audit log as a <c>lineage</c> record.
/// </summary>
internal sealed partial class ListingLineageRecorder(PolicyStore policies, SessionMetrics metrics, ILogger<ListingLineageRecorder> logger, AuditLog? audit = null)
{
    /// <summary>Reads the result of <paramref name="request"/>, when it listed a folder, for copies of protected resources.</summary>
    public void Observed(Session session, ObservedRequest request, string text, DateTimeOffset now)
    {
        if (request.Folder is not { } folder)
        {
            return;
        }

        foreach (var entry in ListingLineage.Learn(policies.Current, folder, text, session.Lineage, request.Reference, now))
        {
            if (!session.Lineage.TryAdd(entry))
            {
                // Full: copies of protected resources are denied from now on, so nothing escapes through this one.
                break;
            }

            metrics.LineageRecorded(entry.How);
            LogLearned(logger, session.Key.Agent, entry.Resource, entry.Origin, request.Reference);
            if (audit is not null)
            {
                _ = RecordAsync(audit, new LineageRecord(session.Key, entry));
            }
        }
    }

    private async Task RecordAsync(AuditLog log, LineageRecord record)
    {
        try
        {
            await log.AppendAsync(record, CancellationToken.None);
        }
        catch (AuditWriteException ex)
        {
            LogNotRecorded(logger, ex, record.Entry.Resource);
        }
    }

    [LoggerMessage(1201, LogLevel.Information, "Agent {AgentId}'s listing shows {Resource} is a copy of {Origin} (ref {Reference}); it is now tracked as one")]
    private static partial void LogLearned(ILogger logger, string agentId, string resource, string origin, string reference);

    [LoggerMessage(1202, LogLevel.Error, "The lineage of {Resource} learned from a listing could not be written to the audit log; it is still enforced")]
    private static partial void LogNotRecorded(ILogger logger, Exception exception, string resource);
}
