using AgentGuard.Oversight;
using AgentGuard.Sessions;
using AgentGuard.Telemetry;

namespace AgentGuard.Proxy;

/// <summary>
/// The one place a session's end is told: to the oversight sink (which checks obligations), the
/// metrics and the log, whatever ended it (an end tool, an MCP DELETE, the idle timeout, eviction,
/// the guard stopping).
/// </summary>
internal sealed partial class SessionEnds
{
    private readonly ISessionStore _store;
    private readonly IOversightSink _sink;
    private readonly SessionMetrics _metrics;
    private readonly ILogger<SessionEnds> _logger;
    private readonly IdleGapSessions _idleGaps;

    public SessionEnds(ISessionStore store, IOversightSink sink, SessionMetrics metrics, IdleGapSessions idleGaps, ILogger<SessionEnds> logger)
    {
        _idleGaps = idleGaps;
        _store = store;
        _sink = sink;
        _metrics = metrics;
        _logger = logger;
        store.Evicted += session => Ended(session, SessionEndReason.Evicted);
    }

    /// <summary>Ends the session of <paramref name="key"/> if it is live.</summary>
    public void End(SessionKey key, SessionEndReason reason)
    {
        if (_store.TryEnd(key, out var session))
        {
            Ended(session!, reason);
        }
    }

    /// <summary>Ends the sessions not seen since <paramref name="idleSince"/>.</summary>
    public int EndIdle(DateTimeOffset idleSince, SessionEndReason reason = SessionEndReason.Idle)
    {
        var ended = _store.EndIdle(idleSince);
        foreach (var session in ended)
        {
            Ended(session, reason);
        }

        return ended.Count;
    }

    private void Ended(Session session, SessionEndReason reason)
    {
        _idleGaps.Ended(session.Key);
        _metrics.Ended(reason);
        LogEnded(_logger, session.Key.Agent, session.Key.Id, reason, session.EvidenceDropped);
        try
        {
            _sink.SessionEnded(session, reason);
        }
        catch (Exception ex)
        {
            // The sink only queues; a bug in it must not break the request that ended the session.
            LogSinkFailed(_logger, ex, session.Key.Agent);
        }
    }

    [LoggerMessage(1101, LogLevel.Debug, "Session {SessionId} of agent {AgentId} ended ({Reason}); {EvidenceDropped} evidence items were over its cap")]
    private static partial void LogEnded(ILogger logger, string agentId, string sessionId, SessionEndReason reason, int evidenceDropped);

    [LoggerMessage(1102, LogLevel.Error, "The oversight sink failed on a session of agent {AgentId}")]
    internal static partial void LogSinkFailed(ILogger logger, Exception exception, string agentId);
}
