using AgentGuard.Audit;
using AgentGuard.Holds;

namespace AgentGuard.Admin;

/// <summary>
/// Where a reviewer's vote goes, from the API, the CLI or the review page: to the hold queue (which
/// releases or denies the held call, on whichever replica holds it), and into this replica's audit
/// log as a <c>vote</c> record naming the reviewer.
/// </summary>
internal sealed partial class Approvals(IHoldQueue holds, AdminState state, TimeProvider timeProvider, ILogger<Approvals> logger)
{
    /// <summary>The calls waiting for a decision, oldest first.</summary>
    public IReadOnlyList<PendingHold> Pending() => holds.Pending();

    /// <summary>Counts <paramref name="reviewer"/>'s vote on the held call <paramref name="holdId"/>, bound to <paramref name="callHash"/>.</summary>
    /// <remarks>
    /// A vote that can count is recorded before it is applied: its record then comes before the hold's
    /// end (which the holding replica writes as soon as the vote releases it), and no call is released
    /// by a vote the log does not hold. With the audit log down the vote is not applied.
    /// </remarks>
    public async ValueTask<VoteResult> VoteAsync(string reviewer, string holdId, string callHash, bool approve, string? reason, CancellationToken cancellationToken)
    {
        var pending = holds.Pending().FirstOrDefault(p => string.Equals(p.Call.Id, holdId, StringComparison.Ordinal));
        var now = timeProvider.GetUtcNow();
        var verdict = approve ? "approve" : "deny";
        if (pending is not null && string.Equals(pending.Call.CallHash, callHash, StringComparison.OrdinalIgnoreCase)
            && !(approve && pending.ApprovedBy.Contains(reviewer, StringComparer.Ordinal)) && state.Audit is { } audit)
        {
            try
            {
                await audit.AppendAsync(new HoldRecord(HoldRecord.Vote, pending.Call, [reviewer], reason, now, verdict), cancellationToken);
            }
            catch (AuditWriteException)
            {
                LogVote(logger, reviewer, verdict, holdId, VoteResult.Unavailable);
                return VoteResult.Unavailable;
            }
        }

        var result = await holds.VoteAsync(new HoldVote(holdId, callHash, reviewer, approve, reason, now), cancellationToken);
        LogVote(logger, reviewer, verdict, holdId, result);
        return result;
    }

    [LoggerMessage(5102, LogLevel.Information, "Reviewer {Reviewer} voted {Verdict} on held call {HoldId}: {Result}")]
    private static partial void LogVote(ILogger logger, string reviewer, string verdict, string holdId, VoteResult result);
}
