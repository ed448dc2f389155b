using System.Text;

namespace AgentGuard.Content;

/// <summary>
/// Reads a JSON string's raw UTF-8 text (between its quotes, escapes as written) one Unicode scalar
/// at a time, unescaping as it goes: a bounded prefix of a long value is read without unescaping,
/// or allocating, the rest.
/// </summary>
internal static class JsonStringRunes
{
    /// <summary>
    /// Reads the scalar at <paramref name="position"/> and moves past it; <see langword="false"/> at the
    /// end. A lone surrogate escape reads as U+FFFD, as a UTF-8 writer would write it.
    /// </summary>
    /// <param name="raw">Text a JSON reader has validated (escapes well formed, UTF-8 valid).</param>
    /// <param name="position">Where to read; moved past what was read.</param>
    /// <param name="rune">The scalar read.</param>
    public static bool TryRead(ReadOnlySpan<byte> raw, ref int position, out Rune rune)
    {
        if (position >= raw.Length)
        {
            rune = default;
            return false;
        }

        if (raw[position] != (byte)'\\')
        {
            Rune.DecodeFromUtf8(raw[position..], out rune, out var consumed);
            position += Math.Max(consumed, 1);
            return true;
        }

        if (position + 1 >= raw.Length)
        {
            position = raw.Length;
            rune = Rune.ReplacementChar;
            return true;
        }

        var escape = raw[position + 1];
        position += 2;
        switch (escape)
        {
            case (byte)'n': rune = new Rune('\n'); return true;
            case (byte)'r': rune = new Rune('\r'); return true;
            case (byte)'t': rune = new Rune('\t'); return true;
            case (byte)'b': rune = new Rune('\b'); return true;
            case (byte)'f': rune = new Rune('\f'); return true;
            case (byte)'u': break;
            default: rune = new Rune(escape); return true; // \" \\ \/
        }

        var unit = ReadHex(raw, ref position);
        if (char.IsHighSurrogate((char)unit) && position + 6 <= raw.Length && raw[position] == (byte)'\\' && raw[position + 1] == (byte)'u')
        {
            var next = position + 2;
            var low = ReadHex(raw, ref next);
            if (char.IsLowSurrogate((char)low))
            {
                position = next;
                rune = new Rune((char)unit, (char)low);
                return true;
            }
        }

        rune = Rune.IsValid(unit) ? new Rune(unit) : Rune.ReplacementChar;
        return true;
    }

    private static int ReadHex(ReadOnlySpan<byte> raw, ref int position)
    {
        var value = 0;
        for (var end = Math.Min(position + 4, raw.Length); position < end; position++)
        {
            var digit = raw[position];
            value = (value << 4) | digit switch
            {
                >= (byte)'0' and <= (byte)'9' => digit - '0',
                >= (byte)'a' and <= (byte)'f' => digit - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => digit - 'A' + 10,
                _ => 0,
            };
        }

        return value;
    }
}
