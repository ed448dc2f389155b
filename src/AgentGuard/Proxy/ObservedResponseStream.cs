namespace AgentGuard.Proxy;

/// <summary>
/// The agent's response body with a tee: every write goes to the agent first, unchanged and
/// unbuffered, and only then is shown to the <see cref="ResponseObserver"/>. Nothing the observer
/// does (or fails to do) reaches the bytes or their timing beyond the scan of each chunk.
/// </summary>
internal sealed class ObservedResponseStream(Stream inner, HttpResponse response, ResponseObserver observer) : Stream
{
    /// <summary>The body the agent's bytes really go to.</summary>
    public Stream Inner => inner;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        observer.Observe(response, buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        observer.Observe(response, buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var write = inner.WriteAsync(buffer, cancellationToken);
        if (write.IsCompletedSuccessfully)
        {
            observer.Observe(response, buffer.Span);
            return default;
        }

        return ObserveAfterAsync(write, buffer);
    }

    private async ValueTask ObserveAfterAsync(ValueTask write, ReadOnlyMemory<byte> buffer)
    {
        await write;
        observer.Observe(response, buffer.Span);
    }
}
