using System.Buffers;

namespace AgentGuard.Proxy;

/// <summary>
/// The <c>aws-chunked</c> framing of an S3 upload (SigV4 streaming, signed or unsigned, with or
/// without trailers), seen from the proxy: whether a request uses it, and the payload's first bytes
/// under it, so that the content sniffed is the object's and not its framing.
/// </summary>
internal static class S3ChunkedPayload
{
    /// <summary>How far decoding the prefix got.</summary>
    public enum Status
    {
        /// <summary>The destination is full, or the payload ended in it.</summary>
        Done,

        /// <summary>More raw bytes are needed.</summary>
        NeedMoreData,

        /// <summary>The framing is not aws-chunked.</summary>
        Malformed,
    }

    /// <summary>Whether the body is aws-chunked: <c>Content-Encoding: aws-chunked</c>, or a streaming <c>x-amz-content-sha256</c>.</summary>
    public static bool IsChunked(HttpRequest request)
    {
        foreach (var value in request.Headers.ContentEncoding)
        {
            if (value is not null && value.Contains("aws-chunked", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return request.Headers["x-amz-content-sha256"].ToString().StartsWith("STREAMING-", StringComparison.Ordinal);
    }

    /// <summary>Decodes the payload at the start of <paramref name="raw"/> into <paramref name="destination"/>.</summary>
    public static Status DecodePrefix(ReadOnlySequence<byte> raw, bool completed, Span<byte> destination, out int written, out string? error)
    {
        _ = raw;
        _ = completed;
        _ = destination;
        written = 0;
        error = "aws-chunked decoding is not built yet";
        return Status.Malformed;
    }
}
