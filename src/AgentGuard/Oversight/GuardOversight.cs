using System.Collections.Concurrent;
using AgentGuard.Audit;
using AgentGuard.Policy;
using AgentGuard.Sessions;
using AgentGuard.Telemetry;

namespace AgentGuard.Oversight;

/// <summary>
/// The guard's oversight: the evaluation engine, the watched-versus-unwatched comparison and the
/// per-evaluator statistics, with obligations written to the audit log as they open and close.
/// </summary>
internal sealed partial class GuardOversight : IOversight
{
    private readonly OversightEngine _engine;
    private readonly IWatchedComparison _watched;
    private readonly OversightMetrics _metrics;
    private readonly AuditLog? _audit;
    private readonly TimeProvider _time;
    private readonly string _role;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<SessionKey, bool> _withFindings = new();
    private readonly IObligationLedger? _ledger;

    public GuardOversight(
        OversightEngine engine,
        IWatchedComparison watched,
        OversightMetrics metrics,
        AuditLog? audit,
        TimeProvider timeProvider,
        string role,
        ILogger<GuardOversight> logger,
        IObligationLedger? ledger = null)
    {
        _ledger = ledger;
        _engine = engine;
        _watched = watched;
        _metrics = metrics;
        _audit = audit;
        _time = timeProvider;
        _role = role;
        _logger = logger;
    }

    public async ValueTask<IReadOnlyList<OversightFinding>> OnCallAsync(Session session, SessionCall call, CancellationToken cancellationToken)
    {
        var outcome = await _engine.OnCallAsync(session, call, _role, cancellationToken);
        foreach (var result in outcome.Results ?? [])
        {
            _metrics.Rescored(new RescoredEvaluation(
                result.Evaluator, result.Evaluation, result.Outcome, result.Submitted, result.Rescored, result.Threshold, result.SubmittedPasses, result.RescoredPasses));
        }

        await RecordObligationsAsync(outcome, cancellationToken);
        if (outcome.Findings.Count > 0)
        {
            _withFindings[session.Key] = true;
        }

        return outcome.Findings;
    }

    public async ValueTask<IReadOnlyList<OversightFinding>> OnSessionEndedAsync(Session session, SessionEndReason reason, CancellationToken cancellationToken)
    {
        if (reason == SessionEndReason.Shutdown)
        {
            // The guard stopping does not end the agent's run: its obligations stay open in the audit
            // log for the next run to take back, and an unfinished session is no evidence either way.
            _withFindings.TryRemove(session.Key, out _);
            return [];
        }

        var outcome = await _engine.OnSessionEndedAsync(session, reason, _role, cancellationToken);
        await RecordObligationsAsync(outcome, cancellationToken);
        var hadFinding = _withFindings.TryRemove(session.Key, out _) | outcome.Findings.Count > 0 | HadDecisionFinding(session);
        _metrics.SessionEnded(session.Key.Agent, session.Observed, session.PeerContext);
        if (await _watched.SessionEndedAsync(session.Key, session.Observed, hadFinding, _time.GetUtcNow(), session.PeerContext, cancellationToken) is not { } suspected)
        {
            return outcome.Findings;
        }

        return [.. outcome.Findings, suspected];
    }

    /// <summary>
    /// Takes back the obligations a previous run left open: each one's session is started again
    /// (so the agent may still meet it, and the idle timeout ends it if not).
    /// </summary>
    public IReadOnlyList<OpenObligation> Restore(ISessionStore sessions)
    {
        // Replicas: the shared ledger says which are still this replica's (another may have adopted
        // some while it was down); without it, this replica's own audit log.
        var open = _ledger?.Mine() ?? (_audit is null ? [] : OpenObligations.Read(_audit.Directory));
        Track(sessions, open);
        return open;
    }

    /// <summary>Takes over the open obligations of replicas that died (see <see cref="IObligationLedger"/>): tracked here, and recorded as opened in this replica's audit log.</summary>
    public async Task<int> AdoptAsync(ISessionStore sessions, CancellationToken cancellationToken)
    {
        if (_ledger is null || await _ledger.AdoptAsync(cancellationToken) is not { Count: > 0 } adopted)
        {
            return 0;
        }

        Track(sessions, adopted);
        await RecordObligationsAsync(new OversightOutcome([], adopted, []), cancellationToken, share: false);
        LogAdopted(_logger, adopted.Count);
        return adopted.Count;
    }

    /// <summary>Tracks <paramref name="open"/> again: each one's session is started (so the agent may still meet it, and the idle timeout ends it if not).</summary>
    private void Track(ISessionStore sessions, IReadOnlyList<OpenObligation> open)
    {
        foreach (var obligation in open)
        {
            sessions.GetOrStart(obligation.Session, _time.GetUtcNow());
        }

        _engine.RestoreObligations(open, _ => true);
    }

    private static bool HadDecisionFinding(Session session)
    {
        foreach (var call in session.Calls())
        {
            if (call.Decision != DecisionKind.Allow)
            {
                return true;
            }
        }

        return false;
    }

    private async ValueTask RecordObligationsAsync(OversightOutcome outcome, CancellationToken cancellationToken, bool share = true)
    {
        if (_ledger is not null && share)
        {
            foreach (var opened in outcome.Opened)
            {
                await _ledger.OpenedAsync(opened, cancellationToken);
            }

            foreach (var closed in outcome.Closed)
            {
                await _ledger.ClosedAsync(closed, cancellationToken);
            }
        }

        if (_audit is null)
        {
            return;
        }

        try
        {
            foreach (var opened in outcome.Opened)
            {
                await _audit.AppendAsync(new ObligationChange(opened, Opened: true), cancellationToken);
            }

            foreach (var closed in outcome.Closed)
            {
                await _audit.AppendAsync(new ObligationChange(closed, Opened: false), cancellationToken);
            }
        }
        catch (AuditWriteException ex)
        {
            LogObligationUnrecorded(_logger, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} open obligations of a replica that stopped are tracked here now")]
    private static partial void LogAdopted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "An obligation could not be written to the audit log (a restarted guard will not know it): {Error}")]
    private static partial void LogObligationUnrecorded(ILogger logger, string error);
}
