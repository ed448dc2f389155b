namespace AgentGuard.Protocols.S3;

/// <summary>
/// Reads the payload out of an <c>aws-chunked</c> body (SigV4 streaming uploads:
/// <c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD</c>, <c>STREAMING-UNSIGNED-PAYLOAD-TRAILER</c>,
/// <c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER</c>), incrementally: bytes are fed as they arrive,
/// payload bytes come out, and the state is a few numbers whatever the body's size. The proxy uses
/// it to see the first bytes of the content (to sniff them) while it forwards the raw body untouched.
/// </summary>
/// <remarks>
/// The framing: chunks of <c>hex-size[;chunk-signature=...]\r\n</c>, that many bytes, <c>\r\n</c>;
/// a final chunk of size 0; then trailer lines (<c>x-amz-checksum-crc32:...\r\n</c>,
/// <c>x-amz-trailer-signature:...\r\n</c>) and a blank line. Signatures and checksums are left to S3,
/// which has the key; the decoder checks only the framing, and a malformed one is an error.
/// Not thread-safe: one decoder per body.
/// </remarks>
public sealed class AwsChunkedDecoder
{
    /// <summary>The longest chunk header (<c>hex-size;chunk-signature=...</c>) or trailer line, in bytes.</summary>
    public const int MaxLineBytes = 4096;

    /// <summary>The most trailer lines after the final chunk.</summary>
    public const int MaxTrailers = 16;

    // 16 hex digits overflow a long; real chunks are kilobytes to megabytes.
    private const int MaxSizeDigits = 15;

    private readonly long? _decodedLength;
    private State _state = State.Size;
    private long _chunkRemaining;
    private int _lineBytes;
    private int _trailers;
    private bool _lineHasColon;

    /// <summary>Creates a decoder for one body.</summary>
    /// <param name="decodedLength">The payload's length from <c>x-amz-decoded-content-length</c>, checked when given.</param>
    public AwsChunkedDecoder(long? decodedLength = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decodedLength ?? 0, nameof(decodedLength));
        _decodedLength = decodedLength;
    }

    private enum State
    {
        Size,
        Extension,
        SizeLineFeed,
        Data,
        DataCarriageReturn,
        DataLineFeed,
        TrailerStart,
        Trailer,
        TrailerLineFeed,
        FinalLineFeed,
        Done,
        Failed,
    }

    /// <summary>Why the framing is malformed, once it is; <see langword="null"/> while it is not.</summary>
    public string? Error { get; private set; }

    /// <summary>Whether the final chunk and its trailers have been read.</summary>
    public bool IsComplete => _state == State.Done;

    /// <summary>How many payload bytes the chunks held so far.</summary>
    public long PayloadBytes { get; private set; }

    /// <summary>Whether a request's body is <c>aws-chunked</c>, from its <c>x-amz-content-sha256</c> and <c>Content-Encoding</c> headers.</summary>
    /// <param name="header">Reads one request header by name (case-insensitive); <see langword="null"/> when absent.</param>
    public static bool IsAwsChunked(Func<string, string?> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (header("x-amz-content-sha256") is { } sha && sha.TrimStart().StartsWith("STREAMING-", StringComparison.Ordinal))
        {
            return true;
        }

        if (header("Content-Encoding") is not { } encoding)
        {
            return false;
        }

        foreach (var range in encoding.AsSpan().Split(','))
        {
            if (encoding.AsSpan()[range].Trim().Equals("aws-chunked", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Decodes a whole <c>aws-chunked</c> body held in memory (an XML document sent chunked).</summary>
    /// <param name="body">The raw body.</param>
    /// <param name="payload">Receives the payload; what does not fit is an error.</param>
    /// <param name="written">How many payload bytes were written.</param>
    /// <returns><see langword="null"/> on success, otherwise why the framing is malformed.</returns>
    public static string? DecodeWhole(ReadOnlySpan<byte> body, Span<byte> payload, out int written)
    {
        var decoder = new AwsChunkedDecoder();
        var error = decoder.Feed(body, payload, out written) ?? decoder.Finish();
        if (error is null && decoder.PayloadBytes > written)
        {
            error = $"aws-chunked payload is larger than {payload.Length} bytes";
        }

        return error;
    }

    /// <summary>
    /// Feeds the next bytes of the body. Payload bytes are copied to <paramref name="payload"/> as
    /// far as it has room and the rest are passed over (the caller forwards the raw body anyway):
    /// pass the unfilled part of a sniffing window, or an empty span to only check the framing.
    /// </summary>
    /// <param name="input">The next raw bytes of the body.</param>
    /// <param name="payload">Receives payload bytes.</param>
    /// <param name="written">How many payload bytes were written to <paramref name="payload"/>.</param>
    /// <returns><see langword="null"/> while the framing is good, otherwise why it is not (and every later call returns it too).</returns>
    public string? Feed(ReadOnlySpan<byte> input, Span<byte> payload, out int written)
    {
        written = 0;
        var i = 0;
        while (i < input.Length && _state != State.Failed)
        {
            if (_state == State.Data)
            {
                var take = (int)Math.Min(_chunkRemaining, input.Length - i);
                var copy = Math.Min(take, payload.Length - written);
                input.Slice(i, copy).CopyTo(payload[written..]);
                written += copy;
                i += take;
                _chunkRemaining -= take;
                PayloadBytes += take;
                if (PayloadBytes > _decodedLength)
                {
                    return Fail($"aws-chunked payload is longer than x-amz-decoded-content-length ({_decodedLength})");
                }

                if (_chunkRemaining == 0)
                {
                    _state = State.DataCarriageReturn;
                }

                continue;
            }

            Step(input[i++]);
        }

        return Error;
    }

    /// <summary>Says whether the body, now ended, was complete.</summary>
    /// <returns><see langword="null"/> when the final chunk was read, otherwise why the body is incomplete.</returns>
    public string? Finish()
    {
        if (_state == State.TrailerStart)
        {
            // The trailers end with the body: the closing blank line is not always sent.
            _state = State.Done;
        }

        if (_state != State.Done)
        {
            return Fail(_state == State.Failed ? Error! : "aws-chunked body ended before its final chunk");
        }

        return PayloadBytes != _decodedLength && _decodedLength is not null
            ? Fail($"aws-chunked payload is {PayloadBytes} bytes, not x-amz-decoded-content-length's {_decodedLength}")
            : null;
    }

    private void Step(byte b)
    {
        switch (_state)
        {
            case State.Size when HexValue(b) is var digit and >= 0:
                if (++_lineBytes > MaxSizeDigits)
                {
                    Fail("aws-chunked chunk size is too large");
                    return;
                }

                _chunkRemaining = (_chunkRemaining << 4) | (uint)digit;
                return;
            case State.Size when _lineBytes > 0 && b == (byte)';':
                _state = State.Extension;
                return;
            case State.Size when _lineBytes > 0 && b == (byte)'\r':
                _state = State.SizeLineFeed;
                return;
            case State.Size when _lineBytes > 0 && b == (byte)'\n':
                Fail("aws-chunked line must end with CRLF");
                return;
            case State.Size:
                Fail("aws-chunked chunk header must start with a hexadecimal size");
                return;
            case State.Extension when b == (byte)'\r':
                _state = State.SizeLineFeed;
                return;
            case State.Extension:
                if (++_lineBytes > MaxLineBytes || b is < 0x20 or > 0x7e)
                {
                    Fail("aws-chunked chunk header is too long or not printable text");
                }

                return;
            case State.SizeLineFeed when b == (byte)'\n':
                _lineBytes = 0;
                _state = _chunkRemaining == 0 ? State.TrailerStart : State.Data;
                return;
            case State.DataCarriageReturn when b == (byte)'\r':
                _state = State.DataLineFeed;
                return;
            case State.DataCarriageReturn:
                Fail("aws-chunked chunk data must be followed by CRLF (is it longer than its size?)");
                return;
            case State.DataLineFeed when b == (byte)'\n':
                _state = State.Size;
                return;
            case State.TrailerStart when b == (byte)'\r':
                _state = State.FinalLineFeed;
                return;
            case State.TrailerStart:
                if (++_trailers > MaxTrailers)
                {
                    Fail($"aws-chunked body has more than {MaxTrailers} trailers");
                    return;
                }

                _state = State.Trailer;
                _lineBytes = 0;
                _lineHasColon = false;
                Step(b);
                return;
            case State.Trailer when b == (byte)'\r':
                if (!_lineHasColon)
                {
                    Fail("aws-chunked trailer must be 'name:value'");
                    return;
                }

                _state = State.TrailerLineFeed;

                return;
            case State.Trailer:
                if (++_lineBytes > MaxLineBytes || b is < 0x20 or > 0x7e)
                {
                    Fail("aws-chunked trailer is too long or not printable text");
                    return;
                }

                _lineHasColon |= b == (byte)':' && _lineBytes > 1;
                return;
            case State.TrailerLineFeed when b == (byte)'\n':
                _state = State.TrailerStart;
                return;
            case State.FinalLineFeed when b == (byte)'\n':
                _state = State.Done;
                return;
            case State.Done:
                Fail("aws-chunked body has bytes after its final chunk");
                return;
            default:
                Fail("aws-chunked line must end with CRLF");
                return;
        }
    }

    private string Fail(string error)
    {
        if (_state != State.Failed)
        {
            Error = error;
            _state = State.Failed;
        }

        return Error!;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
