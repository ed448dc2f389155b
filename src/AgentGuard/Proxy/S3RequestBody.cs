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

    /// <summary>
    /// Reads a document body whole into pooled memory: the bytes as sent (forwarded unchanged) and the
    /// document they hold, which differs only when the body is aws-chunked.
    /// </summary>
    /// <returns>The raw body and the document, or why it cannot be read (over the limit, bad framing).</returns>
    public static async ValueTask<S3Document> ReadDocumentAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > S3Decoder.MaxDocumentBytes)
        {
            return S3Document.Failed("too-large", $"the document is {request.ContentLength} bytes, over {S3Decoder.MaxDocumentBytes}");
        }

        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length > S3Decoder.MaxDocumentBytes)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return S3Document.Failed("too-large", $"the document is over {S3Decoder.MaxDocumentBytes} bytes");
            }

            if (result.IsCompleted)
            {
                var length = (int)buffer.Length;
                var raw = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                buffer.CopyTo(raw);
                reader.AdvanceTo(buffer.End);
                if (!AwsChunkedDecoder.IsAwsChunked(Header(request)))
                {
                    return new S3Document(raw, length, null, length, null, null);
                }

                var document = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                if (AwsChunkedDecoder.DecodeWhole(raw.AsSpan(0, length), document.AsSpan(0, length), out var written) is { } error)
                {
                    ArrayPool<byte>.Shared.Return(raw);
                    ArrayPool<byte>.Shared.Return(document);
                    return S3Document.Failed("malformed", error);
                }

                return new S3Document(raw, length, document, written, null, null);
            }

            // Nothing consumed, everything examined: the pipe keeps the bytes and wakes us when more arrive.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// Sniffs the first window of object content for a model format, after undoing aws-chunked
    /// framing. Nothing is consumed: the request pipe still holds every byte, so the forwarder reads
    /// the body from its first byte, as sent, and streams the rest through.
    /// </summary>
    /// <returns>The format (or <see langword="null"/>), or why the content could not be read.</returns>
    public static async ValueTask<(ModelFormat? Format, string? Error)> SniffContentAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var header = Header(request);
        AwsChunkedDecoder? decoder = null;
        if (AwsChunkedDecoder.IsAwsChunked(header))
        {
            long? decodedLength = null;
            if (header("x-amz-decoded-content-length") is { } declared)
            {
                if (!long.TryParse(declared, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
                {
                    return (null, $"x-amz-decoded-content-length '{declared}' is not a length");
                }

                decodedLength = value;
            }

            decoder = new AwsChunkedDecoder(decodedLength);
        }

        var reader = request.BodyReader;
        if (decoder is null)
        {
            return await SniffPlainAsync(reader, cancellationToken);
        }

        var window = ArrayPool<byte>.Shared.Rent(ModelFormatSniffer.Window);
        var filled = 0;
        long fed = 0;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;

                // The pipe hands back every unconsumed byte each time: feed only those not yet fed.
                foreach (var segment in buffer.Slice(fed))
                {
                    var error = decoder.Feed(segment.Span, window.AsSpan(filled, ModelFormatSniffer.Window - filled), out var written);
                    filled += written;
                    if (error is not null)
                    {
                        reader.AdvanceTo(buffer.Start);
                        return (null, error);
                    }

                    if (filled == ModelFormatSniffer.Window)
                    {
                        break;
                    }
                }

                fed = buffer.Length;
                var done = filled == ModelFormatSniffer.Window || decoder.IsComplete;
                if (!done && result.IsCompleted && decoder.Finish() is { } incomplete)
                {
                    reader.AdvanceTo(buffer.Start);
                    return (null, incomplete);
                }

                done |= result.IsCompleted;
                if (!done && buffer.Length > MaxChunkedWindowBytes)
                {
                    reader.AdvanceTo(buffer.Start);
                    return (null, $"aws-chunked framing: {buffer.Length} bytes hold only {filled} bytes of content (chunks under 8 KiB)");
                }

                if (!done)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                // Consumed and examined nothing: the next read (the forwarder's) starts at the first byte at once.
                reader.AdvanceTo(buffer.Start);
                return (ModelFormatSniffer.Sniff(window.AsSpan(0, filled)), null);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }
    }

    /// <summary>
    /// Sniffs a body that is its content as sent: the first window is examined in the pipe's own
    /// buffer when it arrived in one segment (a small upload, the usual case), copied only otherwise.
    /// </summary>
    private static async ValueTask<(ModelFormat? Format, string? Error)> SniffPlainAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length < ModelFormatSniffer.Window && !result.IsCompleted)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            var prefix = buffer.Slice(0, Math.Min(buffer.Length, ModelFormatSniffer.Window));
            var format = prefix.IsSingleSegment ? ModelFormatSniffer.Sniff(prefix.FirstSpan) : SniffCopy(prefix);

            // Consumed and examined nothing: the next read (the forwarder's) starts at the first byte at once.
            reader.AdvanceTo(buffer.Start);
            return (format, null);
        }

        static ModelFormat? SniffCopy(System.Buffers.ReadOnlySequence<byte> prefix)
        {
            var window = ArrayPool<byte>.Shared.Rent(ModelFormatSniffer.Window);
            try
            {
                prefix.CopyTo(window);
                return ModelFormatSniffer.Sniff(window.AsSpan(0, (int)prefix.Length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(window);
            }
        }
    }

    /// <summary>Reads one request header by name, as the S3 decoder wants it.</summary>
    public static Func<string, string?> Header(HttpRequest request)
    {
        var headers = request.Headers;
        return name => headers.TryGetValue(name, out var value) ? value.ToString() : null;
    }
}
