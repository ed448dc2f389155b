using AgentGuard.Sessions;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using AgentGuard.Audit;
using AgentGuard.Holds;
using AgentGuard.Policy;
using AgentGuard.Protocols;
using AgentGuard.Telemetry;
using Microsoft.Extensions.Options;

namespace AgentGuard.Proxy;

/// <summary>
/// Between decide and record, for calls a rule decided <c>hold</c>: each waits in the
/// <see cref="IHoldQueue"/> until reviewers approve it (its decision becomes an allow naming them),
/// one denies it, its deadline passes, or the agent cancels it (each a deny). Every step is a
/// <c>hold</c> audit record; with the audit log down a call is never held, and so never forwarded.
/// The members of a batch are held together, so the batch waits for the last of them.
/// </summary>
internal sealed partial class ApprovalHold(
    IHoldQueue queue,
    SessionContext sessions,
    IOptionsMonitor<GuardOptions> options,
    TimeProvider timeProvider,
    HoldMetrics metrics,
    ILogger<ApprovalHold> logger,
    AuditLog? audit = null)
{
    /// <summary>The rule id of a held call a reviewer denied.</summary>
    public const string DeniedRuleId = "hold-denied";

    /// <summary>The rule id of a held call nobody decided before its deadline.</summary>
    public const string TimeoutRuleId = "hold-timeout";

    /// <summary>The rule id of a held call the agent cancelled or abandoned.</summary>
    public const string CancelledRuleId = "hold-cancelled";

    /// <summary>The rule id of a held call the hold queue could not keep (shared state down, replica gone).</summary>
    public const string UnavailableRuleId = "hold-unavailable";

    private const string NotificationsCancelled = "notifications/cancelled";

    /// <summary>Held calls by session and JSON-RPC id, for the agent's <c>notifications/cancelled</c>.</summary>
    private readonly ConcurrentDictionary<(SessionKey Session, string RequestId), CancellationTokenSource> _cancellable = new();

    /// <summary>Whether any decision of the request is a hold.</summary>
    public static bool Applies(DecisionRecord[] records)
    {
        foreach (var record in records)
        {
            if (record.Decision.IsHeld)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Holds every held member of an MCP request at once; returns how many ended denied (their records are replaced either way).</summary>
    public async ValueTask<int> HoldAsync(CallIdentity identity, McpMessage[] messages, DecisionRecord[] records, CancellationToken cancellationToken)
    {
        var held = new List<(int Index, Task<DecisionRecord> Done)>();
        for (var i = 0; i < records.Length; i++)
        {
            if (records[i].Decision.IsHeld)
            {
                var id = messages[i].Kind == McpMessageKind.Request ? Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8Value(messages[i].Id)) : null;
                held.Add((i, HoldAsync(identity, records[i], id, cancellationToken).AsTask()));
            }
        }

        var denied = 0;
        foreach (var (index, done) in held)
        {
            records[index] = await done;
            denied += records[index].Decision.IsDenied ? 1 : 0;
        }

        return denied;
    }

    /// <summary>Holds one call until it is decided; returns its record with the decision that takes effect (allow or deny).</summary>
    /// <param name="identity">Who made the call.</param>
    /// <param name="record">The record of the call the policy decided <c>hold</c>.</param>
    /// <param name="requestId">The JSON-RPC id (raw JSON) the agent may name in <c>notifications/cancelled</c>, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Fires when the agent goes away: the hold ends as cancelled.</param>
    public async ValueTask<DecisionRecord> HoldAsync(CallIdentity identity, DecisionRecord record, string? requestId, CancellationToken cancellationToken)
    {
        var decision = record.Decision;
        var terms = decision.Hold ?? HoldTerms.Default;
        var session = identity.Session.Key.Id;
        var tool = record.Call.Tool ?? record.Call.Method;
        var arguments = sessions.Arguments(record.Call.Arguments).Text;
        var now = timeProvider.GetUtcNow();
        var call = new HeldCall(
            record.Reference,
            HeldCallHash.Compute(identity.Agent.Id, session, tool, arguments),
            identity.Agent.Id,
            identity.Agent.Role,
            session,
            tool,
            arguments,
            decision.RuleId,
            decision.Finding?.Category,
            decision.Message,
            terms.Reviewers,
            now,
            now + (terms.Timeout ?? options.CurrentValue.Holds.DefaultTimeout),
            queue.Replica);

        // Nothing is held that the log does not show: a reviewer could otherwise release a call no record explains.
        if (!await AppendAsync(new HoldRecord(HoldRecord.Held, call, [], null, now), CancellationToken.None))
        {
            return record with { Decision = Decision.InspectionFailure("the audit log cannot be written; the call was not held") };
        }

        LogHeld(logger, call.Agent, tool, call.Rule, call.Id, call.ReviewersRequired, call.Deadline);
        var started = timeProvider.GetTimestamp();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var key = requestId is null ? default : (identity.Session.Key, requestId);
        if (requestId is not null)
        {
            _cancellable[key] = cancel;
        }

        HoldResolution resolution;
        try
        {
            resolution = await queue.HoldAsync(call, cancel.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A shared queue that cannot be reached: the call is denied, never forwarded unseen.
            LogQueueFailed(logger, ex, call.Id);
            resolution = new HoldResolution(HoldOutcome.Unavailable, [], "the hold queue could not be reached", timeProvider.GetUtcNow());
        }
        finally
        {
            if (requestId is not null)
            {
                _cancellable.TryRemove(new KeyValuePair<(SessionKey, string), CancellationTokenSource>(key, cancel));
            }
        }

        metrics.Ended(resolution.Outcome, timeProvider.GetElapsedTime(started));
        LogEnded(logger, call.Id, HoldRecord.EventOf(resolution.Outcome), string.Join(", ", resolution.Reviewers));
        var recorded = await AppendAsync(new HoldRecord(HoldRecord.EventOf(resolution.Outcome), call, resolution.Reviewers, resolution.Reason, resolution.Time), CancellationToken.None);
        if (resolution.IsApproved && !recorded)
        {
            return record with { Decision = Decision.InspectionFailure("the audit log cannot be written; the approved call was not forwarded") };
        }

        return record with { Decision = Decided(decision, resolution, terms) };
    }

    /// <summary>
    /// Releases, as cancelled, the held calls a request's <c>notifications/cancelled</c> name
    /// (<c>params.requestId</c>) in the same session. Cheap for every other request: a method compare.
    /// </summary>
    public void Cancel(CallIdentity identity, McpMessage[] messages)
    {
        if (_cancellable.IsEmpty)
        {
            return;
        }

        foreach (var message in messages)
        {
            if (message.Kind != McpMessageKind.Notification || message.Method != NotificationsCancelled
                || message.Element.ValueKind != JsonValueKind.Object
                || !message.Element.TryGetProperty("params"u8, out var parameters) || parameters.ValueKind != JsonValueKind.Object
                || !parameters.TryGetProperty("requestId"u8, out var requestId))
            {
                continue;
            }

            var id = Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8Value(requestId));
            if (_cancellable.TryGetValue((identity.Session.Key, id), out var cancel))
            {
                LogCancelRequested(logger, identity.Agent.Id, id);
                try
                {
                    cancel.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The hold ended meanwhile.
                }
            }
        }
    }

    /// <summary>The decision that takes effect: an allow naming the approving reviewers, or a deny saying why.</summary>
    private Decision Decided(Decision held, HoldResolution resolution, HoldTerms terms)
    {
        var reviewers = string.Join(", ", resolution.Reviewers);
        var reason = resolution.Reason is { Length: > 0 } text ? ": " + text : string.Empty;
        return resolution.Outcome switch
        {
            HoldOutcome.Approved => held with { Kind = DecisionKind.Allow, Message = $"approved by {reviewers}{reason} (held: {held.Message})" },
            HoldOutcome.Denied => held with { Kind = DecisionKind.Deny, RuleId = DeniedRuleId, Message = $"denied by {reviewers}{reason} (held by rule {held.RuleId}: {held.Message})" },
            HoldOutcome.TimedOut => held with
            {
                Kind = DecisionKind.Deny,
                RuleId = TimeoutRuleId,
                Message = $"no decision within {(terms.Timeout ?? options.CurrentValue.Holds.DefaultTimeout).TotalSeconds:0.#}s"
                    + (resolution.Reviewers.Count > 0 ? $" (approved by {reviewers} of {terms.Reviewers} needed)" : string.Empty)
                    + $" (held by rule {held.RuleId}: {held.Message})",
            },
            HoldOutcome.Cancelled => held with { Kind = DecisionKind.Deny, RuleId = CancelledRuleId, Message = $"the agent cancelled the held call (held by rule {held.RuleId}: {held.Message})" },
            _ => held with { Kind = DecisionKind.Deny, RuleId = UnavailableRuleId, Message = $"the hold ended {HoldRecord.EventOf(resolution.Outcome)}{reason} (held by rule {held.RuleId}: {held.Message})" },
        };
    }

    private async ValueTask<bool> AppendAsync(HoldRecord hold, CancellationToken cancellationToken)
    {
        if (audit is null)
        {
            return true;
        }

        try
        {
            await audit.AppendAsync(hold, cancellationToken);
            return true;
        }
        catch (AuditWriteException ex)
        {
            McpInspectionMiddleware.LogAuditUnavailable(logger, ex.Message);
            return false;
        }
    }

    [LoggerMessage(1301, LogLevel.Warning, "Held {Tool} for agent {AgentId} by rule {RuleId}, ref {Reference}: waiting for {Reviewers} reviewer(s) until {Deadline}")]
    private static partial void LogHeld(ILogger logger, string agentId, string tool, string ruleId, string reference, int reviewers, DateTimeOffset deadline);

    [LoggerMessage(1302, LogLevel.Information, "Held call {Reference} ended {Outcome}; reviewers: {Reviewers}")]
    private static partial void LogEnded(ILogger logger, string reference, string outcome, string reviewers);

    [LoggerMessage(1303, LogLevel.Error, "The hold queue failed for held call {Reference}; it is denied")]
    private static partial void LogQueueFailed(ILogger logger, Exception exception, string reference);

    [LoggerMessage(1304, LogLevel.Information, "Agent {AgentId} cancelled its held request {RequestId}")]
    private static partial void LogCancelRequested(ILogger logger, string agentId, string requestId);
}
