using System.Text;
using CsCheck;

namespace AgentGuard.Protocols.S3;

public class AwsChunkedDecoderTests
{
    private const string Signature = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";

    // The example of AWS's SigV4 streaming documentation: 64 KiB, then 1 KiB, then the final chunk.
    private static byte[] Signed(byte[] payload, int chunkSize)
    {
        var body = new MemoryStream();
        for (var offset = 0; offset < payload.Length; offset += chunkSize)
        {
            var size = Math.Min(chunkSize, payload.Length - offset);
            body.Write(Encoding.ASCII.GetBytes($"{size:x};chunk-signature={Signature}\r\n"));
            body.Write(payload, offset, size);
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.ASCII.GetBytes($"0;chunk-signature={Signature}\r\n\r\n"));
        return body.ToArray();
    }

    // STREAMING-UNSIGNED-PAYLOAD-TRAILER as AWSSDK v4 sends it: bare sizes, then checksum trailers.
    private static byte[] UnsignedWithTrailer(byte[] payload, int chunkSize, bool signedTrailer = false)
    {
        var body = new MemoryStream();
        for (var offset = 0; offset < payload.Length; offset += chunkSize)
        {
            var size = Math.Min(chunkSize, payload.Length - offset);
            body.Write(Encoding.ASCII.GetBytes($"{size:X}\r\n"));
            body.Write(payload, offset, size);
            body.Write("\r\n"u8);
        }

        body.Write("0\r\nx-amz-checksum-crc32:sOO8/Q==\r\n"u8);
        if (signedTrailer)
        {
            body.Write(Encoding.ASCII.GetBytes($"x-amz-trailer-signature:{Signature}\r\n"));
        }

        body.Write("\r\n"u8);
        return body.ToArray();
    }

    private static byte[] Payload(int length)
    {
        var payload = new byte[length];
        new Random(length).NextBytes(payload);
        return payload;
    }

    private static (byte[] Window, long Total) DecodeWhole(byte[] body, int window, long? decodedLength = null)
    {
        var decoder = new AwsChunkedDecoder(decodedLength);
        var output = new byte[window];
        Assert.Null(decoder.Feed(body, output, out var written));
        Assert.Null(decoder.Finish());
        Assert.True(decoder.IsComplete);
        return (output[..written], decoder.PayloadBytes);
    }

    [Fact]
    public void Feed_SignedChunks_YieldsThePayload()
    {
        var payload = Payload(66560);

        var (window, total) = DecodeWhole(Signed(payload, 65536), window: 70000, decodedLength: 66560);

        Assert.Equal(payload, window);
        Assert.Equal(66560, total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Feed_UnsignedOrSignedTrailerForms_YieldThePayload(bool signedTrailer)
    {
        var payload = Payload(10_000);

        var (window, total) = DecodeWhole(UnsignedWithTrailer(payload, 4096, signedTrailer), window: 10_000);

        Assert.Equal(payload, window);
        Assert.Equal(10_000, total);
    }

    [Fact]
    public void Feed_WindowSmallerThanThePayload_YieldsItsFirstBytesAndCountsTheRest()
    {
        var payload = Payload(100_000);

        var (window, total) = DecodeWhole(Signed(payload, 8192), window: 4096);

        Assert.Equal(payload[..4096], window);
        Assert.Equal(100_000, total);
    }

    [Fact]
    public void Feed_EmptyPayload_IsComplete()
    {
        var (window, total) = DecodeWhole(Signed([], 8192), window: 16);

        Assert.Empty(window);
        Assert.Equal(0, total);
    }

    [Fact]
    public void Feed_TrailersEndingWithTheBody_AreComplete()
    {
        var decoder = new AwsChunkedDecoder();

        Assert.Null(decoder.Feed("3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n"u8, new byte[8], out var written));

        Assert.Null(decoder.Finish());
        Assert.Equal(3, written);
    }

    [Theory]
    [InlineData("x\r\nabc\r\n0\r\n\r\n", "hexadecimal")]
    [InlineData("\r\nabc\r\n0\r\n\r\n", "hexadecimal")]
    [InlineData("3\nabc\r\n0\r\n\r\n", "CRLF")]
    [InlineData("3\r\nabcd\r\n0\r\n\r\n", "longer than its size")]
    [InlineData("3\r\nabc\n0\r\n\r\n", "CRLF")]
    [InlineData("3\r\nabc\r\n0\r\n\r\nextra", "after its final chunk")]
    [InlineData("1000000000000000\r\n", "too large")]
    [InlineData("3;chunk-signature=\u0001\r\nabc\r\n", "printable")]
    [InlineData("0\r\nno-colon\r\n\r\n", "name:value")]
    [InlineData("0\r\n:value\r\n\r\n", "name:value")]
    public void Feed_MalformedFraming_IsAnError(string body, string reason)
    {
        var decoder = new AwsChunkedDecoder();

        var error = decoder.Feed(Encoding.Latin1.GetBytes(body), new byte[16], out _) ?? decoder.Finish();

        Assert.NotNull(error);
        Assert.Contains(reason, error);
        Assert.Equal(error, decoder.Feed("0\r\n\r\n"u8, new byte[16], out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("3\r\nab")]
    [InlineData("3\r\nabc\r\n")]
    [InlineData("3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AA")]
    [InlineData("3\r\nabc\r\n0\r")]
    public void Finish_TruncatedBody_IsAnError(string body)
    {
        var decoder = new AwsChunkedDecoder();
        Assert.Null(decoder.Feed(Encoding.ASCII.GetBytes(body), new byte[16], out _));

        Assert.NotNull(decoder.Finish());
        Assert.False(decoder.IsComplete);
    }

    [Fact]
    public void Feed_TooLongHeaderOrTooManyTrailers_IsAnError()
    {
        var longHeader = "3;" + new string('x', AwsChunkedDecoder.MaxLineBytes) + "\r\nabc\r\n";
        Assert.Contains("too long", new AwsChunkedDecoder().Feed(Encoding.ASCII.GetBytes(longHeader), [], out _));

        var trailers = "0\r\n" + string.Concat(Enumerable.Repeat("a:b\r\n", AwsChunkedDecoder.MaxTrailers + 1)) + "\r\n";
        Assert.Contains("trailers", new AwsChunkedDecoder().Feed(Encoding.ASCII.GetBytes(trailers), [], out _));
    }

    [Fact]
    public void Finish_PayloadLengthOtherThanDeclared_IsAnError()
    {
        var body = Signed(Payload(100), 64);

        var shorter = new AwsChunkedDecoder(decodedLength: 101);
        Assert.Null(shorter.Feed(body, [], out _));
        Assert.Contains("x-amz-decoded-content-length", shorter.Finish());

        Assert.Contains("x-amz-decoded-content-length", new AwsChunkedDecoder(decodedLength: 99).Feed(body, [], out _));
    }

    [Fact]
    public void DecodeWhole_ChunkedDocument_YieldsTheDocument()
    {
        var document = "<Delete><Object><Key>k</Key></Object></Delete>"u8.ToArray();
        var output = new byte[document.Length];

        Assert.Null(AwsChunkedDecoder.DecodeWhole(UnsignedWithTrailer(document, 10), output, out var written));
        Assert.Equal(document, output[..written]);
        Assert.Contains("larger", AwsChunkedDecoder.DecodeWhole(UnsignedWithTrailer(document, 10), new byte[10], out _));
    }

    [Theory]
    [InlineData("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", null, true)]
    [InlineData("STREAMING-UNSIGNED-PAYLOAD-TRAILER", null, true)]
    [InlineData("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "aws-chunked", true)]
    [InlineData("UNSIGNED-PAYLOAD", "gzip, AWS-Chunked", true)]
    [InlineData("UNSIGNED-PAYLOAD", null, false)]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "gzip", false)]
    [InlineData(null, null, false)]
    public void IsAwsChunked_ReadsTheHeaders(string? sha256, string? contentEncoding, bool expected)
    {
        var chunked = AwsChunkedDecoder.IsAwsChunked(name => name switch
        {
            "x-amz-content-sha256" => sha256,
            "Content-Encoding" => contentEncoding,
            _ => null,
        });

        Assert.Equal(expected, chunked);
    }

    [Fact]
    public void Feed_ByteByByte_EqualsFedWhole()
    {
        var gen =
            from payload in Gen.Byte.Array[0, 3000]
            from chunkSize in Gen.Int[1, 1024]
            from form in Gen.Int[0, 2]
            from window in Gen.Int[0, 4000]
            select (payload, chunkSize, form, window);

        gen.Sample(t =>
        {
            var body = t.form switch
            {
                0 => Signed(t.payload, t.chunkSize),
                1 => UnsignedWithTrailer(t.payload, t.chunkSize),
                _ => UnsignedWithTrailer(t.payload, t.chunkSize, signedTrailer: true),
            };

            var whole = new AwsChunkedDecoder();
            var wholeOut = new byte[t.window];
            var wholeError = whole.Feed(body, wholeOut, out var wholeWritten) ?? whole.Finish();

            var single = new AwsChunkedDecoder();
            var singleOut = new byte[t.window];
            var singleWritten = 0;
            string? singleError = null;
            foreach (var b in body)
            {
                singleError = single.Feed([b], singleOut.AsSpan(singleWritten), out var n);
                singleWritten += n;
            }

            singleError ??= single.Finish();
            return wholeError is null && singleError is null
                && wholeWritten == Math.Min(t.window, t.payload.Length)
                && wholeOut.AsSpan(0, wholeWritten).SequenceEqual(t.payload.AsSpan(0, wholeWritten))
                && singleOut.AsSpan(0, singleWritten).SequenceEqual(wholeOut.AsSpan(0, wholeWritten))
                && single.PayloadBytes == t.payload.Length;
        });
    }

    [Fact]
    public void Feed_RandomBytesInRandomPieces_NeverThrowsAndAgreesWithWhole()
    {
        var gen =
            from body in Gen.OneOf(
                Gen.Byte.Array[0, 300],
                Gen.Char["0123456789abcdefABCDEF;=\r\n:x-"].Array[0, 300].Select(c => Encoding.ASCII.GetBytes(c)))
            from cut in Gen.Int[0, 300]
            select (body, cut);

        gen.Sample(t =>
        {
            var whole = new AwsChunkedDecoder();
            var wholeError = whole.Feed(t.body, new byte[64], out _) ?? whole.Finish();

            var split = new AwsChunkedDecoder();
            var cut = Math.Min(t.cut, t.body.Length);
            var splitError = split.Feed(t.body.AsSpan(0, cut), new byte[64], out _)
                ?? split.Feed(t.body.AsSpan(cut), new byte[64], out _)
                ?? split.Finish();

            return (wholeError is null) == (splitError is null) && whole.PayloadBytes == split.PayloadBytes;
        });
    }
}
