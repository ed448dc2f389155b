using System.Buffers;
using System.IO.Pipelines;
using AgentGuard.Content;
using AgentGuard.Protocols.S3;

namespace AgentGuard.Proxy;

/// <summary>
/// What an S3 request's body contributes to its decision: an XML document read whole (within
/// <see cref="S3Decoder.MaxDocumentBytes"/>), or the first <see cref="ModelFormatSniffer.Window"/>
/// bytes of object content, sniffed without being consumed so that the forwarded body is the
/// agent's, byte for byte, and streams on with constant memory.
/// </summary>
internal static class S3RequestBody
{
    /// <summary>
    /// The most raw bytes examined to find the first window of an <c>aws-chunked</c> payload. S3 wants
    /// every chunk but the last to carry at least 8 KiB, so a window's framing is a few hundred bytes;
    /// a body that needs more is framed as no S3 client frames it, and is denied rather than sniffed short.
    /// </summary>
    internal const int MaxChunkedWindowBytes = 2 * ModelFormatSniffer.Window + 16 * 1024;

    /// <summary>Reads a document body whole into pooled memory; <see langword="null"/> when it is over the limit.</summary>
    public static async ValueTask<(byte[]? Buffer, int Length)> ReadDocumentAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > S3Decoder.MaxDocumentBytes)
        {
            return (null, 0);
        }

        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length > S3Decoder.MaxDocumentBytes)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return (null, 0);
            }

            if (result.IsCompleted)
            {
                var length = (int)buffer.Length;
                var array = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                buffer.CopyTo(array);
                reader.AdvanceTo(buffer.End);
                return (array, length);
            }

            // Nothing consumed, everything examined: the pipe keeps the bytes and wakes us when more arrive.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// Sniffs the first window of object content for a model format. Nothing is consumed: the request
    /// pipe still holds every byte, so the forwarder reads the body from its first byte, as sent.
    /// </summary>
    /// <returns>The format (or <see langword="null"/>), or why the content could not be read.</returns>
    public static async ValueTask<(ModelFormat? Format, string? Error)> SniffContentAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var chunked = S3ChunkedPayload.IsChunked(request);
        var reader = request.BodyReader;
        var window = ArrayPool<byte>.Shared.Rent(ModelFormatSniffer.Window);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                int written;
                if (chunked)
                {
                    var status = S3ChunkedPayload.DecodePrefix(buffer, result.IsCompleted, window.AsSpan(0, ModelFormatSniffer.Window), out written, out var error);
                    if (status == S3ChunkedPayload.Status.Malformed)
                    {
                        reader.AdvanceTo(buffer.Start);
                        return (null, error);
                    }

                    if (status == S3ChunkedPayload.Status.NeedMoreData && !result.IsCompleted)
                    {
                        if (buffer.Length > MaxChunkedWindowBytes)
                        {
                            reader.AdvanceTo(buffer.Start);
                            return (null, $"aws-chunked framing: {buffer.Length} bytes hold less than the first {ModelFormatSniffer.Window} bytes of content (chunks under 8 KiB)");
                        }

                        reader.AdvanceTo(buffer.Start, buffer.End);
                        continue;
                    }
                }
                else
                {
                    if (buffer.Length < ModelFormatSniffer.Window && !result.IsCompleted)
                    {
                        reader.AdvanceTo(buffer.Start, buffer.End);
                        continue;
                    }

                    written = (int)Math.Min(buffer.Length, ModelFormatSniffer.Window);
                    buffer.Slice(0, written).CopyTo(window);
                }

                // Consumed and examined nothing: the next read (the forwarder's) starts at the first byte at once.
                reader.AdvanceTo(buffer.Start);
                return (ModelFormatSniffer.Sniff(window.AsSpan(0, written)), null);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }
    }
}
