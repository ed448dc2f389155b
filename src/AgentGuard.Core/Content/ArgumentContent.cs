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

    // Where a data URL's comma must be: "data:" and a media type with its parameters.
    private const int MaxDataUrlHeader = 256;

    // The base64 and base64url alphabets together (one value may use only one; see ReadBase64).
    private static readonly SearchValues<byte> Base64Alphabets = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_"u8);

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

        // Runs between escapes are copied whole (text has an escape per line at most); only escapes
        // are read one by one. A character cut by the window's end is cut as the sniffer would cut it.
        var written = 0;
        var position = 0;
        var window = buffer.AsSpan(0, ModelFormatSniffer.Window);
        while (written < window.Length && position < raw.Length)
        {
            var run = raw[position..];
            var escape = run.IndexOf((byte)'\\');
            run = run[..Math.Min(escape < 0 ? run.Length : escape, window.Length - written)];
            run.CopyTo(window[written..]);
            written += run.Length;
            position += run.Length;
            if (escape < 0 || written == window.Length || !JsonStringRunes.TryRead(raw, ref position, out var rune)
                || !rune.TryEncodeToUtf8(window[written..], out var length))
            {
                break;
            }

            written += length;
        }

        return ModelFormatSniffer.Sniff(window[..written]);
    }

    private static ModelFormat? SniffBase64(ReadOnlySpan<byte> raw, bool escaped, byte[] buffer)
    {
        // A data URL (data:application/octet-stream;base64,...) carries its base64 after the comma.
        if (raw.Length > 5 && Ascii.EqualsIgnoreCase(raw[..5], "data:"u8))
        {
            var comma = raw[..Math.Min(raw.Length, MaxDataUrlHeader)].IndexOf((byte)',');
            if (comma < 0 || !raw[..comma].EndsWith(";base64"u8))
            {
                return null;
            }

            raw = raw[(comma + 1)..];
        }

        // The usual case: plain base64 (Base64.IsValid skips whitespace; the decoder does too).
        if (!escaped && Base64.IsValid(raw, out var decodedLength))
        {
            return decodedLength < MinBase64Length / 4 * 3 ? null : DecodeAndSniff(raw, buffer);
        }

        // Otherwise escaped ('+' is "\u002B" from System.Text.Json's default encoder, '/' may be "\/")
        // or base64url ('-' and '_', padding optional): check the whole value and keep the first
        // characters of the window, unescaped, in the standard alphabet and without whitespace.
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
    /// Checks that the value is base64 or base64url (one alphabet, whitespace, up to two '=' at its
    /// end, whole quanta unless base64url leaves its padding off, plausible length) and copies its first
    /// characters into <paramref name="kept"/> in the standard alphabet, padded when they are all of it.
    /// </summary>
    private static (int Kept, bool Valid) ReadBase64(ReadOnlySpan<byte> raw, Span<byte> kept)
    {
        var count = 0;
        var padding = 0;
        var position = 0;
        bool standard = false, url = false;
        while (position < raw.Length)
        {
            // Runs of alphabet characters between escapes are checked and copied whole (vectorised);
            // escapes, whitespace and padding one at a time.
            var run = raw[position..];
            var length = padding == 0 ? run.IndexOfAnyExcept(Base64Alphabets) : 0;
            run = run[..(length < 0 ? run.Length : length)];
            if (run.Length > 0)
            {
                standard |= run.ContainsAny("+/"u8);
                url |= run.ContainsAny("-_"u8);
                if (count < kept.Length)
                {
                    var copied = run[..Math.Min(run.Length, kept.Length - count)];
                    copied.CopyTo(kept[count..]);
                    kept.Slice(count, copied.Length).Replace((byte)'-', (byte)'+');
                    kept.Slice(count, copied.Length).Replace((byte)'_', (byte)'/');
                }

                count += run.Length;
                position += run.Length;
                continue;
            }

            JsonStringRunes.TryRead(raw, ref position, out var rune);
            var c = rune.Value;
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                continue;
            }

            if (c == '=')
            {
                padding++;
            }
            else if (padding > 0)
            {
                return (0, false);
            }
            else if (c is '+' or '/')
            {
                standard = true;
            }
            else if (c is '-' or '_')
            {
                url = true;
                c = c == '-' ? '+' : '/';
            }
            else if (!(c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9')))
            {
                return (0, false);
            }

            if (count < kept.Length)
            {
                kept[count] = (byte)c;
            }

            count++;
        }

        if (standard && url)
        {
            return (0, false);
        }

        var keptCount = Math.Min(count, kept.Length);
        var wholeQuanta = count % 4 == 0;
        if (url && padding == 0 && count % 4 is 2 or 3)
        {
            // base64url usually leaves the padding off; the standard decoder wants it where the value
            // ends (the kept characters are whole quanta otherwise: the window is a multiple of 4).
            wholeQuanta = true;
            while (keptCount == count && keptCount % 4 != 0)
            {
                kept[keptCount++] = (byte)'=';
                count++;
            }
        }

        var valid = padding <= 2 && wholeQuanta && count >= MinBase64Length;
        return (keptCount, valid);
    }
}
