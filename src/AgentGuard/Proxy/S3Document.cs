using System.Buffers;

namespace AgentGuard.Proxy;

/// <summary>
/// An S3 request's XML document, read whole into pooled memory: the body as sent (forwarded
/// unchanged) and the document it holds (the same bytes, unless the body was aws-chunked), or why
/// it could not be read. Dispose once, after forwarding.
/// </summary>
internal sealed class S3Document(byte[]? raw, int rawLength, byte[]? decoded, int documentLength, string? reason, string? error) : IDisposable
{
    private byte[]? _raw = raw;
    private byte[]? _decoded = decoded;

    /// <summary>The inspection-failure reason when the document could not be read, else <see langword="null"/>.</summary>
    public string? Reason { get; } = reason;

    /// <summary>Why the document could not be read.</summary>
    public string? Error { get; } = error;

    /// <summary>The document to decide on.</summary>
    public ReadOnlySpan<byte> Document => (_decoded ?? _raw).AsSpan(0, documentLength);

    public static S3Document Failed(string reason, string error) => new(null, 0, null, 0, reason, error);

    /// <summary>The body exactly as sent, copied out of the pooled buffer, to forward it unchanged.</summary>
    public byte[] CopyRaw() => _raw.AsSpan(0, rawLength).ToArray();

    public void Dispose()
    {
        if (_raw is not null)
        {
            ArrayPool<byte>.Shared.Return(_raw);
            _raw = null;
        }

        if (_decoded is not null)
        {
            ArrayPool<byte>.Shared.Return(_decoded);
            _decoded = null;
        }
    }
}
