using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace AgentGuard.Content;

/// <summary>
/// File content a tool argument carries, as text or base64: recognised by its first
/// <see cref="ModelFormatSniffer.Window"/> bytes, which are the only ones decoded.
/// </summary>
public static class ArgumentContent
{
    /// <summary>The base64 characters that decode to the window (4 per 3 bytes).</summary>
    internal const int Base64Window = (ModelFormatSniffer.Window + 2) / 3 * 4;

    // Fewer characters decode to 11 bytes or fewer: shorter than any weights format's header.
    private const int MinBase64Length = 16;

    /// <summary>The model format the content in <paramref name="value"/> begins, or <see langword="null"/> (also for a value that is not a string).</summary>
    public static ModelFormat? Sniff(JsonElement value, ContentEncoding encoding)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var quoted = JsonMarshal.GetRawUtf8Value(value);
        var raw = quoted[1..^1];
        var escaped = raw.IndexOf((byte)'\\') >= 0;
        var buffer = ArrayPool<byte>.Shared.Rent(ModelFormatSniffer.Window + 3);
        try
        {
            if (encoding != ContentEncoding.Text && SniffBase64(raw, escaped, buffer) is { } format)
            {
                return format;
            }

            return encoding == ContentEncoding.Base64 ? null : SniffText(raw, escaped, buffer);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ModelFormat? SniffText(ReadOnlySpan<byte> raw, bool escaped, byte[] buffer)
    {
        if (!escaped)
        {
            return ModelFormatSniffer.Sniff(raw[..Math.Min(raw.Length, ModelFormatSniffer.Window)]);
        }

        var written = 0;
        var position = 0;
        var window = buffer.AsSpan(0, ModelFormatSniffer.Window);
        while (JsonStringRunes.TryRead(raw, ref position, out var rune) && rune.TryEncodeToUtf8(window[written..], out var length))
        {
            written += length;
        }

        return ModelFormatSniffer.Sniff(window[..written]);
    }

    private static ModelFormat? SniffBase64(ReadOnlySpan<byte> raw, bool escaped, byte[] buffer)
    {
        if (!escaped)
        {
            // Base64.IsValid skips the whitespace a MIME encoder leaves; the decoder does too.
            if (!Base64.IsValid(raw, out var decodedLength) || decodedLength < MinBase64Length / 4 * 3)
            {
                return null;
            }

            return DecodeAndSniff(raw, buffer);
        }

        // Escaped ('+' is "\u002B" from System.Text.Json's default encoder, '/' may be "\/"): check the
        // whole value and keep the first characters of the window, unescaped and without whitespace.
        var characters = ArrayPool<byte>.Shared.Rent(Base64Window);
        try
        {
            var (kept, valid) = ReadBase64(raw, characters.AsSpan(0, Base64Window));
            return valid ? DecodeAndSniff(characters.AsSpan(0, kept), buffer) : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(characters);
        }
    }

    /// <summary>Decodes the base64 text's first characters (whole quanta only) and sniffs what they decode to.</summary>
    private static ModelFormat? DecodeAndSniff(ReadOnlySpan<byte> base64, byte[] buffer)
    {
        // Whitespace counts against the source span here, so a line-broken value may decode a little
        // less than the window: the formats' headers are far shorter.
        var source = base64[..Math.Min(base64.Length, Base64Window)];
        var status = Base64.DecodeFromUtf8(source, buffer, out _, out var written, isFinalBlock: source.Length == base64.Length);
        if (status is OperationStatus.InvalidData)
        {
            return null;
        }

        return ModelFormatSniffer.Sniff(buffer.AsSpan(0, Math.Min(written, ModelFormatSniffer.Window)));
    }

    /// <summary>
    /// Checks that the escaped value is base64 (alphabet, whitespace, up to two '=' at its end, a
    /// whole number of quanta, plausible length) and copies its first characters into <paramref name="kept"/>.
    /// </summary>
    private static (int Kept, bool Valid) ReadBase64(ReadOnlySpan<byte> raw, Span<byte> kept)
    {
        var count = 0;
        var padding = 0;
        var position = 0;
        while (JsonStringRunes.TryRead(raw, ref position, out var rune))
        {
            var c = rune.Value;
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                continue;
            }

            if (c == '=')
            {
                padding++;
            }
            else if (padding > 0 || !(c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '+' or '/'))
            {
                return (0, false);
            }

            if (count < kept.Length)
            {
                kept[count] = (byte)c;
            }

            count++;
        }

        var valid = padding <= 2 && count % 4 == 0 && count >= MinBase64Length;
        return (Math.Min(count, kept.Length), valid);
    }
}
