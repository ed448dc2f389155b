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

    /// <summary>Whether the last write succeeded (or none has failed yet). When false, decisions are refused.</summary>
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

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(items, done)))
        {
            throw new AuditWriteException("the audit log is closed");
        }

        return new ValueTask(done.Task.WaitAsync(cancellationToken));
    }

    /// <summary>
    /// Whether the log can be written now. When it has been failing, tries again (an empty write
    /// that reopens the file), so that readiness recovers without waiting for traffic that a
    /// not-ready guard would never be sent.
    /// </summary>
    public async ValueTask<bool> CheckAsync(CancellationToken cancellationToken)
    {
        if (IsHealthy)
        {
            return true;
        }

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
            if (_file is null && !TryOpenFile())
            {
                throw new IOException(_lastError);
            }

            if (_file!.Length >= _options.MaxSegmentBytes)
            {
                Rotate();
            }

            _buffer.Clear();
            var sequence = _sequence;
            var previous = _previousHash;
            foreach (var pending in batch)
            {
                foreach (var item in pending.Items)
                {
                    var start = _buffer.WrittenCount;
                    AuditRecordSerializer.Write(_buffer, ++sequence, previous, item, _redactor, _signer);
                    previous = AuditChain.Hash(_buffer.WrittenSpan[start..]);
                    _buffer.Write("\n"u8);
                    records++;
                }
            }

            _file.Write(_buffer.WrittenSpan);
            _file.Flush(flushToDisk: _options.Durability == AuditDurability.Fsync);
            _sequence = sequence;
            _previousHash = previous;
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

        Written?.Invoke(records, _timeProvider.GetElapsedTime(started));
        foreach (var pending in batch)
        {
            pending.Done?.TrySetResult();
        }
    }

    private void Fail(List<Pending> batch, Exception ex)
    {
        _lastError = ex.Message;
        LogWriteFailed(_logger, ex, _options.Directory!);
        WriteFailed?.Invoke(ex);

        // What reached the file is unknown; reopening re-reads its tail and drops a torn last line.
        _file?.Dispose();
        _file = null;
        var failure = new AuditWriteException("the audit log cannot be written: " + ex.Message, ex);
        foreach (var pending in batch)
        {
            pending.Done?.TrySetException(failure);
        }
    }

    private bool TryOpenFile()
    {
        try
        {
            System.IO.Directory.CreateDirectory(_options.Directory!);
            var segments = AuditChain.Segments(_options.Directory!);
            if (segments.Length == 0)
            {
                _segment = 1;
                _sequence = 0;
                _previousHash = AuditChain.Genesis;
            }
            else
            {
                _segment = SegmentIndex(segments[^1]);
                RecoverTail(segments);
            }

            _file = new FileStream(Path.Combine(_options.Directory!, AuditChain.SegmentName(_segment)), FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
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

    /// <summary>Continues the chain from the last complete record, truncating a torn line a crash left behind (it was never acknowledged).</summary>
    private void RecoverTail(string[] segments)
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
            _sequence = document.RootElement.GetProperty("seq").GetInt64();
            _previousHash = AuditChain.Hash(line);
            return;
        }

        _sequence = 0;
        _previousHash = AuditChain.Genesis;
    }

    private void Rotate()
    {
        _file!.Dispose();
        _segment++;
        _file = new FileStream(Path.Combine(_options.Directory!, AuditChain.SegmentName(_segment)), FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
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
}
