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
    public async ValueTask<VoteResult> VoteAsync(string reviewer, string holdId, string callHash, bool approve, string? reason, CancellationToken cancellationToken)
    {
        var held = holds.Pending().FirstOrDefault(p => string.Equals(p.Call.Id, holdId, StringComparison.Ordinal))?.Call;
        var now = timeProvider.GetUtcNow();
        var result = await holds.VoteAsync(new HoldVote(holdId, callHash, reviewer, approve, reason, now), cancellationToken);
        LogVote(logger, reviewer, approve ? "approve" : "deny", holdId, result);
        if (held is not null && result is VoteResult.Counted or VoteResult.Approved or VoteResult.Denied && state.Audit is { } audit)
        {
            await audit.AppendAsync(new HoldRecord(HoldRecord.Vote, held, [reviewer], reason, now, approve ? "approve" : "deny"), cancellationToken);
        }

        return result;
    }

    [LoggerMessage(5102, LogLevel.Information, "Reviewer {Reviewer} voted {Verdict} on held call {HoldId}: {Result}")]
    private static partial void LogVote(ILogger logger, string reviewer, string verdict, string holdId, VoteResult result);
}
