using AgentGuard.Audit;

namespace AgentGuard.Admin;

/// <summary>
/// The chain's verification for the review page, cached: the whole log is verified at most once
/// per <see cref="MaxAge"/> and only when it grew, in the background, so a page view never waits
/// on re-verifying a large log (only the very first one waits for the first result).
/// </summary>
internal sealed class ReviewChainStatus(string directory, AuditSigner? publicKey, TimeProvider timeProvider)
{
    /// <summary>How old a result may be before a view of a grown log starts another verification.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private Result? _last;
    private Task<Result>? _running;

    /// <summary>A verification and when it finished.</summary>
    public sealed record Result(AuditVerification Verification, DateTimeOffset At, int IndexedRecords);

    /// <summary>The latest result; starts a new verification when it is stale and the log grew since, waiting only when there is no result yet.</summary>
    public async Task<Result> GetAsync(int indexedRecords, CancellationToken cancellationToken)
    {
        Task<Result>? wait = null;
        lock (_gate)
        {
            var stale = _last is null
                || (_last.IndexedRecords != indexedRecords && timeProvider.GetUtcNow() - _last.At >= MaxAge);
            if (stale && _running is null)
            {
                _running = Task.Run(() => Verify(indexedRecords), CancellationToken.None);
            }

            if (_last is null)
            {
                wait = _running;
            }
        }

        return wait is not null ? await wait.WaitAsync(cancellationToken) : _last!;
    }

    private Result Verify(int indexedRecords)
    {
        Result result;
        try
        {
            result = new Result(AuditVerifier.Verify(directory, publicKey), timeProvider.GetUtcNow(), indexedRecords);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            result = new Result(new AuditVerification(0, 0, 0, "the log cannot be read: " + ex.Message), timeProvider.GetUtcNow(), indexedRecords);
        }

        lock (_gate)
        {
            _last = result;
            _running = null;
        }

        return result;
    }
}
