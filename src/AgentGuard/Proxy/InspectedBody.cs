using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Pipelines;
using Microsoft.Net.Http.Headers;

namespace AgentGuard.Proxy;

/// <summary>
/// An inspected request body, read whole into pooled memory up to the size limit: the bytes as
/// sent (forwarded unchanged when the decision allows) and the JSON they decode to.
/// </summary>
internal sealed class InspectedBody : IDisposable
{
    private byte[]? _raw;
    private byte[]? _decoded;

    private InspectedBody(byte[] raw, int rawLength, byte[]? decoded, int decodedLength)
    {
        _raw = raw;
        RawLength = rawLength;
        _decoded = decoded;
        DecodedLength = decodedLength;
    }

    public int RawLength { get; }

    public int DecodedLength { get; }

    /// <summary>The body exactly as the agent sent it.</summary>
    public ReadOnlyMemory<byte> Raw => _raw.AsMemory(0, RawLength);

    /// <summary>The body after Content-Encoding is undone: the JSON to decide on.</summary>
    public ReadOnlyMemory<byte> Json => _decoded is null ? Raw : _decoded.AsMemory(0, DecodedLength);

    public static async ValueTask<(InspectedBody? Body, BodyError Error)> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            return (null, BodyError.UnsupportedMediaType);
        }

        var encoding = ParseEncoding(request.Headers.ContentEncoding.ToString());
        if (encoding is null)
        {
            return (null, BodyError.UnsupportedEncoding);
        }

        if (request.ContentLength > limit)
        {
            return (null, BodyError.TooLarge);
        }

        var (raw, rawLength) = await ReadRawAsync(request.BodyReader, limit, cancellationToken);
        if (raw is null)
        {
            return (null, BodyError.TooLarge);
        }

        if (encoding.Length == 0)
        {
            return (new InspectedBody(raw, rawLength, null, 0), BodyError.None);
        }

        var (decoded, decodedLength, error) = Decode(raw, rawLength, encoding, limit);
        if (decoded is null)
        {
            ArrayPool<byte>.Shared.Return(raw);
            return (null, error);
        }

        return (new InspectedBody(raw, rawLength, decoded, decodedLength), BodyError.None);
    }

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

    private static async ValueTask<(byte[]? Buffer, int Length)> ReadRawAsync(PipeReader reader, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
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

    private static (byte[]? Buffer, int Length, BodyError Error) Decode(byte[] raw, int rawLength, string encoding, int limit)
    {
        if (encoding == "br")
        {
            var brotli = InflateBrotli(raw.AsSpan(0, rawLength), limit, out var brotliLength, out var brotliError);
            return (brotli, brotliLength, brotliError);
        }

        // HTTP's "deflate" is zlib-wrapped, but some clients send raw deflate; a zlib header tells them apart.
        if (encoding == "deflate" && !IsZlibHeader(raw.AsSpan(0, rawLength)))
        {
            encoding = "raw-deflate";
        }

        var decoded = Inflate(raw, rawLength, encoding, limit, out var length, out var error);

        // GZipStream and ZLibStream check the trailer when it is there, and say nothing when the
        // body stops short of it: the trailer must be there. (For gzip that means one member: a
        // body of several concatenated members is refused, which no HTTP client sends.)
        if (decoded is not null
            && ((encoding == "deflate" && !EndsWithAdler32(raw.AsSpan(0, rawLength), decoded.AsSpan(0, length)))
                || (encoding == "gzip" && !EndsWithGzipSize(raw.AsSpan(0, rawLength), length))))
        {
            ArrayPool<byte>.Shared.Return(decoded);
            return (null, 0, BodyError.CorruptEncoding);
        }

        return (decoded, length, error);
    }

    /// <summary>
    /// Brotli with <see cref="BrotliDecoder"/> rather than a stream: it tells a body that stops short
    /// (NeedMoreData) from a whole one, where BrotliStream just ends.
    /// </summary>
    private static byte[]? InflateBrotli(ReadOnlySpan<byte> source, int limit, out int length, out BodyError error)
    {
        var output = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, Math.Max(source.Length * 4, 4096)));
        using var decoder = new BrotliDecoder();
        length = 0;
        while (true)
        {
            var status = decoder.Decompress(source, output.AsSpan(length), out var consumed, out var written);
            source = source[consumed..];
            length += written;
            if (status == OperationStatus.DestinationTooSmall && output.Length <= limit)
            {
                var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)output.Length * 2, limit + 1L));
                output.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(output);
                output = larger;
                continue;
            }

            error = status switch
            {
                OperationStatus.Done when source.IsEmpty && length <= limit => BodyError.None,
                OperationStatus.DestinationTooSmall => BodyError.TooLarge,
                OperationStatus.Done when length > limit => BodyError.TooLarge,

                // Cut short (NeedMoreData), damaged (InvalidData), or followed by bytes that are not part of it.
                _ => BodyError.CorruptEncoding,
            };
            if (error == BodyError.None)
            {
                return output;
            }

            ArrayPool<byte>.Shared.Return(output);
            return null;
        }
    }

    /// <summary>Whether the body starts as RFC 1950 says a zlib stream does: method 8 (deflate) and a header checksum.</summary>
    private static bool IsZlibHeader(ReadOnlySpan<byte> body)
        => body.Length >= 2 && (body[0] & 0x0F) == 8 && ((body[0] << 8) | body[1]) % 31 == 0;

    /// <summary>Whether the body ends with RFC 1952's ISIZE trailer for what it decoded to (its length modulo 2^32).</summary>
    private static bool EndsWithGzipSize(ReadOnlySpan<byte> body, int decodedLength)
        => body.Length >= 18 && BinaryPrimitives.ReadUInt32LittleEndian(body[^4..]) == (uint)decodedLength;

    /// <summary>Whether the body's last four bytes are the Adler-32 of what it decoded to (RFC 1950's trailer).</summary>
    private static bool EndsWithAdler32(ReadOnlySpan<byte> body, ReadOnlySpan<byte> decoded)
    {
        const uint Modulus = 65521;
        uint a = 1, b = 0;
        while (decoded.Length > 0)
        {
            // 5552 bytes is the most that can be summed before b may overflow 32 bits (zlib's NMAX).
            var block = decoded[..Math.Min(5552, decoded.Length)];
            foreach (var value in block)
            {
                a += value;
                b += a;
            }

            a %= Modulus;
            b %= Modulus;
            decoded = decoded[block.Length..];
        }

        return body.Length >= 6 && BinaryPrimitives.ReadUInt32BigEndian(body[^4..]) == ((b << 16) | a);
    }

    private static byte[]? Inflate(byte[] raw, int rawLength, string encoding, int limit, out int length, out BodyError error)
    {
        var output = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, Math.Max(rawLength * 4, 4096)));
        length = 0;
        try
        {
            using var input = new MemoryStream(raw, 0, rawLength, writable: false);
            using Stream stream = encoding switch
            {
                "gzip" => new GZipStream(input, CompressionMode.Decompress),
                "deflate" => new ZLibStream(input, CompressionMode.Decompress),
                _ => new DeflateStream(input, CompressionMode.Decompress),
            };
            while (true)
            {
                if (length == output.Length)
                {
                    if (length > limit)
                    {
                        break;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)output.Length * 2, limit + 1L));
                    output.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(output);
                    output = larger;
                }

                var read = stream.Read(output, length, output.Length - length);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            if (length > limit)
            {
                ArrayPool<byte>.Shared.Return(output);
                error = BodyError.TooLarge;
                return null;
            }

            error = BodyError.None;
            return output;
        }
        catch (InvalidDataException)
        {
            // The agent's bad body, not the guard's failure: 400, like any other undecodable body.
            ArrayPool<byte>.Shared.Return(output);
            error = BodyError.CorruptEncoding;
            return null;
        }
    }

    /// <summary>The single coding to undo (empty for none), or <see langword="null"/> when the guard cannot decode it.</summary>
    private static string? ParseEncoding(string header)
    {
        var value = header.Trim().ToLowerInvariant();
        return value switch
        {
            "" or "identity" => string.Empty,
            "gzip" or "x-gzip" => "gzip",
            "deflate" => "deflate",
            "br" => "br",
            _ => null,
        };
    }

    private static bool IsJson(string? contentType)
    {
        if (string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }

        if (!media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var charset = media.Charset;
        return !charset.HasValue || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }
}
