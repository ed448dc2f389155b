using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;

namespace AgentGuard.Proxy;

/// <summary>
/// Observes a response the tool server compressed: the compressed chunks are copied into a pipe
/// as they pass, and decompressed and scanned on a pool thread, so the agent's bytes never wait
/// on a decompressor. The copy is bounded: if decoding falls <see cref="MaxBehindBytes"/> behind,
/// observation of this response stops (and is counted), rather than holding more.
/// </summary>
internal sealed class CompressedObservation
{
    /// <summary>How far (compressed bytes) decoding may fall behind the agent's stream.</summary>
    public const int MaxBehindBytes = 1024 * 1024;

    private const int ReadBufferBytes = 16 * 1024;

    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
    private readonly ResponseObserver _observer;
    private readonly string _coding;
    private long _behind;
    private bool _stopped;
    private Task? _decoding;

    public CompressedObservation(ResponseObserver observer, string coding)
    {
        _observer = observer;
        _coding = coding;
    }

    /// <summary>Copies the next compressed chunk for decoding.</summary>
    public void Write(ReadOnlySpan<byte> chunk)
    {
        if (_stopped)
        {
            return;
        }

        if (Interlocked.Add(ref _behind, chunk.Length) > MaxBehindBytes)
        {
            _stopped = true;
            _pipe.Writer.Complete(new InvalidDataException("decoding fell too far behind"));
            return;
        }

        _pipe.Writer.Write(chunk);

        // With no pause threshold a flush completes at once; it only wakes the decoder.
        _ = _pipe.Writer.FlushAsync();
        _decoding ??= Task.Run(DecodeAsync);
    }

    /// <summary>The response ended: decoding finishes on its own thread and then completes the observer.</summary>
    public void Complete()
    {
        if (!_stopped)
        {
            _stopped = true;
            _pipe.Writer.Complete();
        }

        if (_decoding is null)
        {
            // Nothing reached the decoder: an empty body, or one chunk already too large to follow.
            _pipe.Reader.Complete();
            _observer.Finish(decoded: Interlocked.Read(ref _behind) == 0);
        }
    }

    private async Task DecodeAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        var decoded = true;
        try
        {
            await using var source = new CountingStream(_pipe.Reader.AsStream(), this);
            await using Stream stream = _coding switch
            {
                "gzip" => new GZipStream(source, CompressionMode.Decompress),

                // HTTP's deflate is zlib-wrapped (RFC 9110 8.4.1.2).
                "deflate" => new ZLibStream(source, CompressionMode.Decompress),
                _ => new BrotliStream(source, CompressionMode.Decompress),
            };
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                _observer.Scan(buffer.AsSpan(0, read));
            }
        }
        catch (Exception)
        {
            // Corrupt, cut off, or too far behind: the agent got the bytes as they were; they are just not evidence.
            decoded = false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _observer.Finish(decoded);
        }
    }

    /// <summary>The pipe's reading end, counting down how far decoding is behind.</summary>
    private sealed class CountingStream(Stream inner, CompressedObservation owner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            Interlocked.Add(ref owner._behind, -read);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            Interlocked.Add(ref owner._behind, -read);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
