namespace AgentGuard.Holds;

/// <summary>The hold queue of one guard: votes given to this guard release calls held by it.</summary>
public sealed class InMemoryHoldQueue(TimeProvider timeProvider) : IHoldQueue
{
    private readonly Dictionary<string, Waiting> _pending = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>This machine's name: one guard, one queue.</summary>
    public string Replica { get; } = Environment.MachineName;

    public async Task<HoldResolution> HoldAsync(HeldCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var waiting = new Waiting(call);
        lock (_gate)
        {
            if (!_pending.TryAdd(call.Id, waiting))
            {
                throw new InvalidOperationException($"call {call.Id} is already held");
            }
        }

        var wait = call.Deadline - timeProvider.GetUtcNow();
        using var timeout = new CancellationTokenSource(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, timeProvider);
        using var onTimeout = timeout.Token.Register(() => End(waiting, HoldOutcome.TimedOut, "no reviewer decided before the deadline"));
        using var onCancel = cancellationToken.Register(() => End(waiting, HoldOutcome.Cancelled, "the agent cancelled the call"));
        return await waiting.Done.Task.ConfigureAwait(false);
    }

    public IReadOnlyList<PendingHold> Pending()
    {
        lock (_gate)
        {
            return [.. _pending.Values.Select(w => new PendingHold(w.Call, [.. w.ApprovedBy])).OrderBy(p => p.Call.HeldAt)];
        }
    }

    public ValueTask<VoteResult> VoteAsync(HoldVote vote, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vote);
        HoldResolution? resolution = null;
        Waiting? waiting;
        VoteResult result;
        lock (_gate)
        {
            if (!_pending.TryGetValue(vote.HoldId, out waiting))
            {
                return ValueTask.FromResult(VoteResult.NotPending);
            }

            if (!string.Equals(waiting.Call.CallHash, vote.CallHash, StringComparison.OrdinalIgnoreCase))
            {
                return ValueTask.FromResult(VoteResult.HashMismatch);
            }

            if (!vote.Approve)
            {
                resolution = new HoldResolution(HoldOutcome.Denied, [.. waiting.ApprovedBy, vote.Reviewer], vote.Reason, vote.Time);
                result = VoteResult.Denied;
            }
            else if (waiting.ApprovedBy.Contains(vote.Reviewer, StringComparer.Ordinal))
            {
                return ValueTask.FromResult(VoteResult.SameReviewer);
            }
            else
            {
                waiting.ApprovedBy.Add(vote.Reviewer);
                if (waiting.ApprovedBy.Count < waiting.Call.ReviewersRequired)
                {
                    return ValueTask.FromResult(VoteResult.Counted);
                }

                resolution = new HoldResolution(HoldOutcome.Approved, [.. waiting.ApprovedBy], vote.Reason, vote.Time);
                result = VoteResult.Approved;
            }

            _pending.Remove(vote.HoldId);
        }

        waiting.Done.TrySetResult(resolution);
        return ValueTask.FromResult(result);
    }

    private void End(Waiting waiting, HoldOutcome outcome, string reason)
    {
        lock (_gate)
        {
            if (!_pending.TryGetValue(waiting.Call.Id, out var current) || !ReferenceEquals(current, waiting))
            {
                return;
            }

            _pending.Remove(waiting.Call.Id);
        }

        waiting.Done.TrySetResult(new HoldResolution(outcome, [.. waiting.ApprovedBy], reason, timeProvider.GetUtcNow()));
    }

    private sealed class Waiting(HeldCall call)
    {
        public HeldCall Call { get; } = call;

        public List<string> ApprovedBy { get; } = [];

        public TaskCompletionSource<HoldResolution> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
