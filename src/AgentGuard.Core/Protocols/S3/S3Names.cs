using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace AgentGuard.Protocols.S3;

/// <summary>
/// Bucket names, object keys and the <c>s3://bucket/key</c> resources built from them. Keys are
/// opaque to S3, so <c>a/../b</c>, <c>a//b</c> and <c>./a</c> name objects of their own: a key is
/// percent-decoded exactly once and NFC-normalised, never dot-segment resolved (which is why it
/// does not go through <see cref="Effects.ResourceCanonicalizer"/>).
/// </summary>
internal static class S3Names
{
    /// <summary>The longest key S3 stores, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>The longest raw (still percent-encoded) text decoded: three times <see cref="MaxKeyBytes"/>.</summary>
    public const int MaxRawKeyChars = 3 * MaxKeyBytes;

    /// <summary>The resource of a bucket as a whole.</summary>
    public static string Bucket(string bucket) => "s3://" + bucket + "/";

    /// <summary>The resource of an object.</summary>
    public static string Object(string bucket, string key) => "s3://" + bucket + "/" + key;

    /// <summary>A pattern (glob, see <see cref="Policy.ResourcePattern"/>) for every object of <paramref name="bucket"/> whose key starts with <paramref name="prefix"/>.</summary>
    public static string PrefixPattern(string bucket, string prefix)
    {
        var builder = new StringBuilder(bucket.Length + prefix.Length + 10).Append("s3://").Append(bucket).Append('/');
        AppendEscaped(builder, prefix);
        return builder.Append("**").ToString();
    }

    /// <summary>Appends <paramref name="literal"/> with every glob metacharacter escaped by <c>\</c>.</summary>
    public static void AppendEscaped(StringBuilder builder, string literal)
    {
        foreach (var c in literal)
        {
            if (c is '\\' or '*' or '?' or '[' or ']' or '{' or '}')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }
    }

    /// <summary>Whether <paramref name="bucket"/> follows S3's bucket naming rules (3 to 63 lower-case letters, digits, dots and hyphens, not an IP address).</summary>
    public static string? ValidateBucket(string bucket)
    {
        if (bucket.Length is < 3 or > 63)
        {
            return "bucket name must be 3 to 63 characters long";
        }

        foreach (var c in bucket)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-'))
            {
                return "bucket name may hold only lower-case letters, digits, '.' and '-'";
            }
        }

        if (!IsLetterOrDigit(bucket[0]) || !IsLetterOrDigit(bucket[^1]))
        {
            return "bucket name must start and end with a letter or digit";
        }

        if (bucket.Contains("..", StringComparison.Ordinal) || bucket.Contains(".-", StringComparison.Ordinal) || bucket.Contains("-.", StringComparison.Ordinal))
        {
            return "bucket name has an empty or hyphen-edged label";
        }

        if (System.Net.IPAddress.TryParse(bucket, out _) && bucket.AsSpan().IndexOfAnyExcept("0123456789.") < 0)
        {
            return "bucket name must not be an IP address";
        }

        return null;

        static bool IsLetterOrDigit(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
    }

    /// <summary>Percent-decodes a bucket name once and validates it.</summary>
    public static string? DecodeBucket(ReadOnlySpan<char> raw, out string? error)
    {
        var bucket = Decode(raw, percentEncoded: true, out error);
        if (bucket is null)
        {
            return null;
        }

        error = ValidateBucket(bucket);
        return error is null ? bucket : null;
    }

    /// <summary>
    /// Decodes a key: percent-decoded exactly once when <paramref name="percentEncoded"/> (a path or
    /// header; keys in XML documents are not), strict UTF-8, no control characters, at most
    /// <see cref="MaxKeyBytes"/> bytes, NFC-normalised. <c>+</c> is a plus, as in S3 paths.
    /// </summary>
    public static string? DecodeKey(ReadOnlySpan<char> raw, bool percentEncoded, out string? error)
    {
        if (raw.IsEmpty)
        {
            error = "object key is empty";
            return null;
        }

        return Decode(raw, percentEncoded, out error);
    }

    /// <summary>Percent-decodes a query name or value once, with the checks a key gets (empty allowed).</summary>
    /// <remarks>Long enough for a bucket, a slash and the longest key: an <c>x-amz-copy-source</c> is decoded whole.</remarks>
    public static string? DecodeComponent(ReadOnlySpan<char> raw, out string? error) => Decode(raw, percentEncoded: true, out error, MaxComponentBytes);

    // A bucket (63), a slash and a key.
    private const int MaxComponentBytes = 64 + MaxKeyBytes;

    private static string? Decode(ReadOnlySpan<char> raw, bool percentEncoded, out string? error, int maxBytes = MaxKeyBytes)
    {
        if (raw.Length > 3 * maxBytes)
        {
            error = $"name is longer than {maxBytes} bytes";
            return null;
        }

        // Bytes first, then strict UTF-8: a percent-escape may encode half a character.
        var byteBuffer = ArrayPool<byte>.Shared.Rent(raw.Length * 3);
        var charBuffer = ArrayPool<char>.Shared.Rent(raw.Length * 3);
        try
        {
            var length = 0;
            for (var i = 0; i < raw.Length; i++)
            {
                var c = raw[i];
                if (c == '%' && percentEncoded)
                {
                    if (i + 2 >= raw.Length || !IsHex(raw[i + 1]) || !IsHex(raw[i + 2]))
                    {
                        error = "invalid percent-encoding in name";
                        return null;
                    }

                    byteBuffer[length++] = (byte)((HexValue(raw[i + 1]) << 4) | HexValue(raw[i + 2]));
                    i += 2;
                }
                else if (c < 0x80)
                {
                    byteBuffer[length++] = (byte)c;
                }
                else
                {
                    // Text already decoded to UTF-16 by the caller: back to UTF-8, lone surrogates refused.
                    var end = i + 1;
                    while (end < raw.Length && raw[end] >= 0x80)
                    {
                        end++;
                    }

                    if (Utf8.FromUtf16(raw[i..end], byteBuffer.AsSpan(length), out _, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
                    {
                        error = "name is not valid Unicode";
                        return null;
                    }

                    length += written;
                    i = end - 1;
                }
            }

            if (length > maxBytes)
            {
                error = $"name is longer than {maxBytes} bytes";
                return null;
            }

            if (Utf8.ToUtf16(byteBuffer.AsSpan(0, length), charBuffer, out _, out var chars, replaceInvalidSequences: false) != OperationStatus.Done)
            {
                error = "name is not valid UTF-8";
                return null;
            }

            var text = charBuffer.AsSpan(0, chars);
            foreach (var c in text)
            {
                if (c < 0x20 || c is >= '\u007f' and <= '\u009f')
                {
                    error = "name holds a control character";
                    return null;
                }
            }

            error = null;
            return Normalize(new string(text), out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(byteBuffer);
            ArrayPool<char>.Shared.Return(charBuffer);
        }
    }

    /// <summary>NFC-normalises text already known to be valid UTF-16 without control characters.</summary>
    public static string? Normalize(string text, out string? error)
    {
        error = null;
        if (Ascii.IsValid(text))
        {
            return text;
        }

        try
        {
            return text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            // Unassigned or invalid code points the normaliser refuses.
            error = "name is not valid Unicode";
            return null;
        }
    }

    /// <summary>Validates a key already decoded (by the XML reader, or from a whole decoded header).</summary>
    public static string? ValidateKey(string key, out string? error)
    {
        if (key.Length == 0)
        {
            error = "object key is empty";
            return null;
        }

        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            error = $"name is longer than {MaxKeyBytes} bytes";
            return null;
        }

        return Decode(key, percentEncoded: false, out error);
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
