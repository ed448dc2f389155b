using System.Threading.Channels;
using AgentGuard.Oversight;
using AgentGuard.Sessions;

namespace AgentGuard.Oversight;

/// <summary>
/// Runs oversight off the request path: the proxy's steps queue calls, evidence and session ends
/// here and return at once; one loop takes them in order and hands them to <see cref="IOversight"/>,
/// each session's work awaited before its end is looked at (an obligation opened by a submission
/// re-scored a moment before <c>end_task</c> is still checked). Re-scoring a submission runs as its
/// own task, so a slow judge holds up nothing else.
/// </summary>
internal sealed partial class OversightService : IOversightSink, IAsyncDisposable
{
    private const int QueueCapacity = 65_536;

    // An agent may send its submission before the last bytes of the answer it read were scanned:
    // oversight waits this long, at most, for the session's answers in flight to be evidence.
    private static readonly TimeSpan ObservationWait = TimeSpan.FromSeconds(1);

    private readonly IOversight _oversight;
    private readonly Func<ISessionStore, IReadOnlyList<OpenObligation>>? _restore;
    private readonly Func<CancellationToken, Task<int>>? _adopt;
    private readonly Func<string, bool> _watches;
    private readonly OversightRecorder _recorder;
    private readonly Action<Session, Evidence>? _label;
    private readonly ILogger _logger;
    private readonly Channel<Work> _queue = Channel.CreateBounded<Work>(new BoundedChannelOptions(QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly Dictionary<SessionKey, List<Task>> _pending = [];
    private readonly List<Task> _ending = [];

    // Calls a sync evaluation already looked at while the proxy held them: the queued copy is skipped.
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private long _dropped;

    public OversightService(
        IOversight oversight,
        OversightRecorder recorder,
        ILogger<OversightService> logger,
        Action<Session, Evidence>? label = null,
        Func<ISessionStore, IReadOnlyList<OpenObligation>>? restore = null,
        Func<string, bool>? watches = null,
        Func<CancellationToken, Task<int>>? adopt = null)
    {
        _adopt = adopt;
        _oversight = oversight;
        _watches = watches ?? (_ => true);
        _restore = restore;
        _recorder = recorder;
        _label = label;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Events dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <remarks>
    /// Only calls oversight watches (submissions, mandated calls) are queued: the session keeps those
    /// and every call that was not simply allowed, and its end is looked at with them.
    /// </remarks>
    public void CallDecided(Session session, SessionCall call)
    {
        if (_watches(call.Tool))
        {
            Enqueue(new Work(session, call, null, null));
        }
    }

    public void EvidenceObserved(Session session, Evidence evidence) => Enqueue(new Work(session, null, evidence, null));

    public void SessionEnded(Session session, SessionEndReason reason) => Enqueue(new Work(session, null, null, reason));

    /// <summary>
    /// Looks at <paramref name="call"/> now, for a sync evaluation that holds the submission until it
    /// is re-scored: the findings are recorded as any others, and the queued copy of the call is skipped.
    /// </summary>
    public async Task<IReadOnlyList<OversightFinding>> CheckNowAsync(Session session, SessionCall call, CancellationToken cancellationToken)
    {
        lock (_held)
        {
            _held.Add(call.Reference);
        }

        await session.ObservationsSettledAsync(ObservationWait, cancellationToken);
        var findings = await _oversight.OnCallAsync(session, call, cancellationToken);
        await RecordAsync(findings);
        return findings;
    }

    /// <summary>Takes back the obligations a previous run left open (see <see cref="GuardOversight.Restore"/>).</summary>
    public IReadOnlyList<OpenObligation> Restore(ISessionStore sessions) => _restore?.Invoke(sessions) ?? [];

    /// <summary>Takes over the open obligations of replicas that died (with shared state; 0 otherwise).</summary>
    public Task<int> AdoptAsync(CancellationToken cancellationToken) => _adopt?.Invoke(cancellationToken) ?? Task.FromResult(0);

    /// <summary>Waits until everything queued so far has been looked at (tests and shutdown).</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new Work(null, null, null, null, done), cancellationToken);
        await done.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
        }

        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    private void Enqueue(Work work)
    {
        if (!_queue.Writer.TryWrite(work))
        {
            Interlocked.Increment(ref _dropped);
            _recorder.Dropped();
        }
    }

    private async Task RunAsync()
    {
        await foreach (var work in _queue.Reader.ReadAllAsync())
        {
            try
            {
                await HandleAsync(work);
            }
            catch (Exception ex)
            {
                // A bug in one session's oversight must not stop the others'.
                LogOversightFailed(_logger, ex, work.Session?.Key.ToString() ?? "-");
            }
        }

        await WhenAllAsync();
    }

    private async Task WhenAllAsync()
    {
        foreach (var tasks in _pending.Values)
        {
            await Task.WhenAll(tasks);
        }

        await Task.WhenAll(_ending);
        _ending.Clear();
    }

    private async ValueTask HandleAsync(Work work)
    {
        if (work.Drained is { } drained)
        {
            await WhenAllAsync();
            drained.TrySetResult();
            return;
        }

        var session = work.Session!;
        if (work.Evidence is { } evidence)
        {
            _label?.Invoke(session, evidence);
        }
        else if (work.Call is { } call)
        {
            lock (_held)
            {
                if (_held.Remove(call.Reference))
                {
                    return;
                }
            }

            var task = LookAtCallAsync(session, call);
            if (!task.IsCompleted)
            {
                if (!_pending.TryGetValue(session.Key, out var tasks))
                {
                    _pending[session.Key] = tasks = [];
                }

                tasks.RemoveAll(t => t.IsCompleted);
                tasks.Add(task);
            }
        }
        else if (work.Ended is { } reason)
        {
            _pending.Remove(session.Key, out var tasks);
            _ending.RemoveAll(t => t.IsCompleted);
            _ending.Add(LookAtEndAsync(session, reason, tasks ?? []));
        }
    }

    private async Task LookAtEndAsync(Session session, SessionEndReason reason, List<Task> before)
    {
        try
        {
            await Task.WhenAll(before);
            await RecordAsync(await _oversight.OnSessionEndedAsync(session, reason, _stopping.Token));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogOversightFailed(_logger, ex, session.Key.ToString());
        }
    }

    private async Task LookAtCallAsync(Session session, SessionCall call)
    {
        try
        {
            await session.ObservationsSettledAsync(ObservationWait, _stopping.Token);
            await RecordAsync(await _oversight.OnCallAsync(session, call, _stopping.Token));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogOversightFailed(_logger, ex, session.Key.ToString());
        }
    }

    private async ValueTask RecordAsync(IReadOnlyList<OversightFinding> findings)
    {
        foreach (var finding in findings)
        {
            await _recorder.RecordAsync(finding, _stopping.Token);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Oversight failed for session {Session}")]
    private static partial void LogOversightFailed(ILogger logger, Exception exception, string session);

    private sealed record Work(Session? Session, SessionCall? Call, Evidence? Evidence, SessionEndReason? Ended, TaskCompletionSource? Drained = null);
}
