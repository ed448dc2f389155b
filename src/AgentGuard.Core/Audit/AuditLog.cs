using AgentGuard.Oversight;
using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace AgentGuard.Audit;

/// <summary>
/// The append-only, hash-chained audit log: JSON Lines in size-rotated segment files. One writer
/// loop owns the file; callers hand it records and, for decisions, wait until they are durable.
/// Records that arrive while a flush is under way share the next one (group commit), so the cost
/// of an fsync is spread over every concurrent decision.
/// <para>
/// A write counts only if it reached the segment that is still at its path: after each group the
/// writer checks that the folder was not removed and the segment not replaced (one <c>statx</c> per
/// group, not per record). When a group fails, the segment is cut back to its last acknowledged
/// record before anything else is written, so the log holds exactly what was acknowledged. After a
/// fault the chain resumes in a new segment, opened by a <c>resume</c> record that names the last
/// record still on disk it chains to and any acknowledged records that were lost.
/// </para>
/// </summary>
public sealed partial class AuditLog : IAsyncDisposable
{
    private const int MaxBatch = 4096;

    private readonly AuditOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly AuditRedactor _redactor;
    private readonly AuditSigner? _signer;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Task _writer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _checkpoints;
    private FileStream? _file;
    private string? _path;
    private FileIdentity _identity;
    private long _acknowledged;
    private bool _opened;
    private string? _fault;
    private AuditResumption? _resumption;
    private FileStream? _uncut;
    private long _uncutLength;
    private int _segment;
    private long _sequence;
    private string _previousHash = AuditChain.Genesis;
    private long _sinceCheckpoint;
    private volatile string? _lastError;
    private Exception? _openError;

    private AuditLog(AuditOptions options, AuditSigner? signer, ILogger logger, TimeProvider timeProvider)
    {
        _options = options;
        _signer = signer;
        _logger = logger;
        _timeProvider = timeProvider;
        _redactor = new AuditRedactor(options.Redact);
        _writer = Task.Run(WriteLoopAsync);
        _checkpoints = signer is null ? Task.CompletedTask : Task.Run(CheckpointLoopAsync);
    }

    /// <summary>Whether the last real write (and flush) succeeded, or none has failed yet. When false, decisions are refused.</summary>
    public bool IsHealthy => _lastError is null;

    /// <summary>Why the last write failed, or <see langword="null"/>.</summary>
    public string? LastError => _lastError;

    /// <summary>The folder the segments are in.</summary>
    public string Directory => _options.Directory!;

    /// <summary>Raised after each successful write: how many records, and how long the write (and flush) took.</summary>
    public event Action<int, TimeSpan>? Written;

    /// <summary>Raised when a write fails.</summary>
    public event Action<Exception>? WriteFailed;

    /// <summary>Opens the log in <see cref="AuditOptions.Directory"/>, continuing its chain. Never throws for an unwritable folder: the log starts unhealthy.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The signing key file holds no usable key.</exception>
    /// <exception cref="IOException">The signing key file cannot be read.</exception>
    public static AuditLog Open(AuditOptions options, ILogger logger, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(options.Directory);
        var signer = options.SigningKeyFile is null ? null : AuditSigner.FromPem(File.ReadAllText(options.SigningKeyFile));
        var log = new AuditLog(options, signer, logger, timeProvider);
        if (!log.TryOpenFile())
        {
            LogWriteFailed(logger, log._openError!, options.Directory);
        }

        return log;
    }

    /// <summary>Appends decision records and waits until they are durable (per <see cref="AuditOptions.Durability"/>).</summary>
    /// <exception cref="AuditWriteException">The records could not be written; their decisions must not take effect.</exception>
    public ValueTask AppendAsync(DecisionRecord[] records, CancellationToken cancellationToken)
    {
        var items = new AuditAppend[records.Length];
        for (var i = 0; i < records.Length; i++)
        {
            items[i] = new AuditAppend(AuditRecordKind.Decision, records[i].Time, records[i]);
        }

        return AppendDurableAsync(items, cancellationToken);
    }

    /// <summary>Appends an oversight finding under <paramref name="reference"/> and waits until it is durable.</summary>
    /// <exception cref="AuditWriteException">The record could not be written.</exception>
    public ValueTask AppendAsync(OversightFinding finding, string reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return AppendDurableAsync([new AuditAppend(AuditRecordKind.Oversight, finding.Time, Reference: reference, Oversight: finding)], cancellationToken);
    }

    /// <summary>Appends an obligation's opening or closing and waits until it is durable.</summary>
    /// <exception cref="AuditWriteException">The record could not be written.</exception>
    public ValueTask AppendAsync(ObligationChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        return AppendDurableAsync([new AuditAppend(AuditRecordKind.Obligation, _timeProvider.GetUtcNow(), Obligation: change)], cancellationToken);
    }

    /// <summary>Appends a resource that joined an asset outside any decision, and waits until it is durable.</summary>
    /// <exception cref="AuditWriteException">The record could not be written.</exception>
    public ValueTask AppendAsync(LineageRecord lineage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lineage);
        return AppendDurableAsync([new AuditAppend(AuditRecordKind.Lineage, lineage.Entry.Time, Reference: lineage.Entry.Reference, Lineage: lineage)], cancellationToken);
    }

    /// <summary>Appends a step of a held call (held, a vote, its end) and waits until it is durable.</summary>
    /// <exception cref="AuditWriteException">The record could not be written.</exception>
    public ValueTask AppendAsync(HoldRecord hold, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hold);
        return AppendDurableAsync([new AuditAppend(AuditRecordKind.Hold, hold.Time, Reference: hold.Call.Id, Hold: hold)], cancellationToken);
    }

    /// <summary>Queues <paramref name="items"/> for the writer and completes once they are durable.</summary>
    private ValueTask AppendDurableAsync(AuditAppend[] items, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(items, done)))
        {
            throw new AuditWriteException("the audit log is closed");
        }

        return new ValueTask(done.Task.WaitAsync(cancellationToken));
    }

    /// <summary>
    /// Whether the log can record now: the last real write succeeded and its segment is still the
    /// file at its path (a folder removed while idle makes the log not ready before a call fails).
    /// After a fault, tries to resume, writing the resume record (a real append and flush, not an
    /// empty write that a full disk would accept), so that readiness recovers without waiting for
    /// traffic that a not-ready guard would never be sent.
    /// </summary>
    public async ValueTask<bool> CheckAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_queue.Writer.TryWrite(new Pending([], done)))
        {
            try
            {
                await done.Task.WaitAsync(cancellationToken);
            }
            catch (AuditWriteException)
            {
            }
        }

        return IsHealthy;
    }

    /// <summary>Appends the tool server's answer to a forwarded call, without waiting: the decision it follows is already durable.</summary>
    public void AppendUpstream(string reference, int status, TimeSpan latency)
        => _queue.Writer.TryWrite(new Pending(
            [new AuditAppend(AuditRecordKind.Upstream, _timeProvider.GetUtcNow(), Reference: reference, Status: status, LatencyMilliseconds: latency.TotalMilliseconds)],
            null));

    /// <summary>Writes what is queued, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        // The timer's checkpoints stop first; the writer adds the last one once the queue is drained.
        await _stopping.CancelAsync();
        await _checkpoints;
        _queue.Writer.TryComplete();
        await _writer;
        _file?.Dispose();
        _uncut?.Dispose();
        _signer?.Dispose();
        _stopping.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            var count = 0;
            while (count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                count += pending.Items.Length;
            }

            try
            {
                WriteBatch(batch);
            }
            catch (Exception ex)
            {
                // A bug (or a throwing subscriber) must fail the batch closed and leave the writer
                // running; otherwise this and every later decision would wait forever.
                Fail(batch, ex);
            }
        }

        // A last checkpoint, so that records written since the previous one are covered by a signature
        // too. Written here, after the queue is drained, not enqueued at dispose: records appended
        // without waiting (upstream records) may still be queued then, and not yet counted.
        if (_signer is not null && Interlocked.Read(ref _sinceCheckpoint) > 0)
        {
            WriteBatch([new Pending([new AuditAppend(AuditRecordKind.Checkpoint, _timeProvider.GetUtcNow())], null)]);
        }
    }

    private void WriteBatch(List<Pending> batch)
    {
        var started = _timeProvider.GetTimestamp();
        var records = 0;
        try
        {
            if (!_opened)
            {
                if (!TryOpenFile())
                {
                    throw new IOException(_lastError);
                }
            }
            else if (_fault is not null)
            {
                Resume();
            }

            if (_acknowledged >= _options.MaxSegmentBytes)
            {
                Rotate();
            }

            _buffer.Clear();
            var sequence = _sequence;
            var previous = _previousHash;
            if (_resumption is not null)
            {
                Serialize(new AuditAppend(AuditRecordKind.Resume, _timeProvider.GetUtcNow(), Resumption: _resumption), ref sequence, ref previous);
                records++;
            }

            foreach (var pending in batch)
            {
                foreach (var item in pending.Items)
                {
                    Serialize(item, ref sequence, ref previous);
                    records++;
                }
            }

            if (records > 0)
            {
                _file!.Write(_buffer.WrittenSpan);
                _file.Flush(flushToDisk: _options.Durability == AuditDurability.Fsync);
            }

            // After the flush: a folder removed or a segment replaced before or during the write means
            // the records went where no one will read them. Checked per group, not per record.
            EnsureSegmentInPlace();
            if (records > 0)
            {
                // Before acknowledging: a subscriber that throws fails the batch, and the batch is then cut from the file.
                Written?.Invoke(records, _timeProvider.GetElapsedTime(started));
            }

            _sequence = sequence;
            _previousHash = previous;
            _acknowledged += _buffer.WrittenCount;
            _resumption = null;
            _fault = null;
            Interlocked.Add(ref _sinceCheckpoint, records);
            if (_lastError is not null)
            {
                LogRecovered(_logger, _options.Directory!);
                _lastError = null;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            Fail(batch, ex);
            return;
        }

        foreach (var pending in batch)
        {
            pending.Done?.TrySetResult();
        }
    }

    private void Serialize(in AuditAppend item, ref long sequence, ref string previous)
    {
        var start = _buffer.WrittenCount;
        AuditRecordSerializer.Write(_buffer, ++sequence, previous, item, _redactor, _signer);
        previous = AuditChain.Hash(_buffer.WrittenSpan[start..]);
        _buffer.Write("\n"u8);
    }

    private void Fail(List<Pending> batch, Exception ex)
    {
        _lastError = ex.Message;
        LogWriteFailed(_logger, ex, _options.Directory!);
        WriteFailed?.Invoke(ex);
        if (_opened)
        {
            // The chain breaks off here; the next write resumes it with a record saying so.
            _fault ??= ex.Message;
            CutBack();
        }

        var failure = new AuditWriteException("the audit log cannot be written: " + ex.Message, ex);
        foreach (var pending in batch)
        {
            pending.Done?.TrySetException(failure);
        }
    }

    /// <summary>
    /// Cuts the segment back to its last acknowledged record: part of a failed group may have reached
    /// the file (a full disk takes what fits), and its calls were denied, so its records must not stay.
    /// Done through the open handle, which reaches the file even when it was moved away. When the cut
    /// itself fails (an immutable file), the handle is kept and the cut retried before anything else is written.
    /// </summary>
    private void CutBack()
    {
        if (_file is null)
        {
            return;
        }

        var file = _file;
        _file = null;
        try
        {
            if (file.Length != _acknowledged)
            {
                file.SetLength(_acknowledged);
                file.Flush(flushToDisk: true);
            }

            file.Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _uncut = file;
            _uncutLength = _acknowledged;
            LogCutBackFailed(_logger, ex, _path!);
            return;
        }

        if (_acknowledged == 0 && _resumption is not null)
        {
            // A segment opened to resume into, where the resume record never landed: remove it, so
            // that retries (each readiness check on a full disk) do not leave a trail of empty files.
            try
            {
                if (FileIdentity.Of(_path!) == _identity)
                {
                    File.Delete(_path!);
                    _segment--;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    private void EnsureSegmentInPlace()
    {
        var now = FileIdentity.Of(_path!);
        if (now is null)
        {
            throw new IOException(System.IO.Directory.Exists(_options.Directory)
                ? $"the audit segment {_path} was removed"
                : $"the audit folder {_options.Directory} was removed");
        }

        if (now.Value != _identity)
        {
            throw new IOException($"the audit segment {_path} was replaced by another file");
        }
    }

    /// <summary>
    /// Goes on after a fault: cuts what was left unacknowledged, chains to the last record still on
    /// disk, and opens a new segment whose first record (written with the batch) says what happened.
    /// Throws, leaving the log failed, while the folder is missing or the disk refuses.
    /// </summary>
    private void Resume()
    {
        var directory = _options.Directory!;
        if (!System.IO.Directory.Exists(directory))
        {
            // Not recreated here: an emptied log is for an operator to notice, not for the guard to paper over.
            throw new IOException($"the audit folder {directory} was removed; create it again (empty, or with its segments restored) to resume");
        }

        if (_uncut is not null)
        {
            _uncut.SetLength(_uncutLength);
            _uncut.Flush(flushToDisk: true);
            _uncut.Dispose();
            _uncut = null;
        }

        var segments = AuditChain.Segments(directory);
        var (last, lastHash) = ReadTail(segments);
        var acknowledged = _sequence;
        var lost = last < acknowledged;
        var index = Math.Max(_segment, segments.Length == 0 ? 0 : SegmentIndex(segments[^1])) + 1;
        OpenSegment(index);
        _sequence = Math.Max(last, acknowledged);
        _previousHash = lastHash;
        _resumption = new AuditResumption(_fault!, last, lost ? last + 1 : null, lost ? acknowledged : null);
        LogResuming(_logger, directory, last, lost ? acknowledged - last : 0);
    }

    private bool TryOpenFile()
    {
        try
        {
            System.IO.Directory.CreateDirectory(_options.Directory!);
            var segments = AuditChain.Segments(_options.Directory!);
            if (segments.Length == 0)
            {
                _sequence = 0;
                _previousHash = AuditChain.Genesis;
                OpenSegment(1);
            }
            else
            {
                (_sequence, _previousHash) = ReadTail(segments);
                OpenSegment(SegmentIndex(segments[^1]));
            }

            _opened = true;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or FormatException)
        {
            // Logged by the caller: once at open, or with the batch that fails because of it.
            _lastError = ex.Message;
            _openError = ex;
            return false;
        }
    }

    /// <summary>The last complete record on disk (sequence and hash), truncating a torn line a crash left behind (it was never acknowledged).</summary>
    private (long Sequence, string Hash) ReadTail(string[] segments)
    {
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            var bytes = File.ReadAllBytes(segments[i]);
            var end = bytes.AsSpan().LastIndexOf((byte)'\n');
            if (end + 1 != bytes.Length)
            {
                LogTornRecord(_logger, segments[i], bytes.Length - (end + 1));
                using var truncate = new FileStream(segments[i], FileMode.Open, FileAccess.Write);
                truncate.SetLength(end + 1);
            }

            if (end < 0)
            {
                continue;
            }

            var start = bytes.AsSpan(0, end).LastIndexOf((byte)'\n') + 1;
            var line = bytes.AsSpan(start, end - start);
            using var document = JsonDocument.Parse(line.ToArray());
            return (document.RootElement.GetProperty("seq").GetInt64(), AuditChain.Hash(line));
        }

        return (0, AuditChain.Genesis);
    }

    private void Rotate()
    {
        var previous = _file!;
        OpenSegment(_segment + 1);
        previous.Dispose();
    }

    /// <summary>Opens segment <paramref name="index"/> for appending (not in append mode, whose handle cannot cut below where it opened).</summary>
    private void OpenSegment(int index)
    {
        var path = Path.Combine(_options.Directory!, AuditChain.SegmentName(index));
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0);
        try
        {
            file.Seek(0, SeekOrigin.End);
            _identity = FileIdentity.Of(file.SafeFileHandle);
            _acknowledged = file.Position;
        }
        catch
        {
            file.Dispose();
            throw;
        }

        _file = file;
        _path = path;
        _segment = index;
    }

    private async Task CheckpointLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.CheckpointInterval, _timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                EnqueueCheckpointIfNeeded();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void EnqueueCheckpointIfNeeded()
    {
        // -1: the checkpoint itself is a record, and writing it brings the count back to 0.
        if (Interlocked.Read(ref _sinceCheckpoint) > 0)
        {
            Interlocked.Exchange(ref _sinceCheckpoint, -1);
            _queue.Writer.TryWrite(new Pending([new AuditAppend(AuditRecordKind.Checkpoint, _timeProvider.GetUtcNow())], null));
        }
    }

    private static int SegmentIndex(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        return int.Parse(name.AsSpan("audit-".Length), System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed record Pending(AuditAppend[] Items, TaskCompletionSource? Done);

    [LoggerMessage(3001, LogLevel.Error, "The audit log in {Directory} cannot be written; inspected calls are denied until it can")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string directory);

    [LoggerMessage(3002, LogLevel.Information, "The audit log in {Directory} is writable again")]
    private static partial void LogRecovered(ILogger logger, string directory);

    [LoggerMessage(3003, LogLevel.Warning, "Dropped {Bytes} bytes of an incomplete last record in {Segment}: it was never acknowledged")]
    private static partial void LogTornRecord(ILogger logger, string segment, int bytes);

    [LoggerMessage(3004, LogLevel.Warning, "The audit log in {Directory} resumes after record {ChainsTo}, the last one still on disk; {Lost} acknowledged records were lost")]
    private static partial void LogResuming(ILogger logger, string directory, long chainsTo, long lost);

    [LoggerMessage(3005, LogLevel.Error, "Could not cut the unacknowledged tail off {Segment}; retrying before anything else is written")]
    private static partial void LogCutBackFailed(ILogger logger, Exception exception, string segment);
}
