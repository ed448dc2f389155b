using System.Text;

namespace AgentGuard.Effects.Shell;

/// <summary>
/// Decodes the body of a bash ANSI-C string (<c>$'...'</c>) the way bash 5 does: <c>\a \b \e \E
/// \f \n \r \t \v \\ \' \" \?</c>, octal <c>\NNN</c> (one to three digits), <c>\xHH</c>,
/// <c>\uHHHH</c>, <c>\UHHHHHHHH</c>, <c>\cX</c>; any other escape stays as written. Byte escapes
/// that follow each other are decoded together as UTF-8 (so <c>\xc3\xa9</c> is one character), and
/// a NUL ends the string, as in bash, whose strings are C strings.
/// </summary>
internal class AnsiCDecoder
{
    /// <summary>The decoder the parser uses unless a test gives another.</summary>
    public static readonly AnsiCDecoder Default = new();

    /// <summary>Appends the decoded <paramref name="body"/> (the text between the quotes) to <paramref name="output"/>.</summary>
    public void Decode(ReadOnlySpan<char> body, StringBuilder output)
    {
        Span<byte> bytes = stackalloc byte[64];
        var byteCount = 0;
        var i = 0;
        while (i < body.Length)
        {
            var c = body[i];
            if (c != '\\' || i + 1 >= body.Length)
            {
                Flush(bytes, ref byteCount, output);
                if (c == '\0')
                {
                    return;
                }

                output.Append(c);
                i++;
                continue;
            }

            var e = body[i + 1];
            i += 2;
            int value;
            if (e is >= '0' and <= '7' || e == 'x')
            {
                value = e == 'x' ? ReadDigits(body, ref i, 16, 2) : 0;
                if (e != 'x')
                {
                    value = e - '0';
                    var digits = 1;
                    while (digits < 3 && i < body.Length && body[i] is >= '0' and <= '7')
                    {
                        value = value * 8 + (body[i] - '0');
                        i++;
                        digits++;
                    }

                    value &= 0xFF;
                }
                else if (value < 0)
                {
                    Flush(bytes, ref byteCount, output);
                    output.Append('\\').Append('x');
                    continue;
                }

                if (value == 0)
                {
                    Flush(bytes, ref byteCount, output);
                    return;
                }

                if (value < 0x80)
                {
                    Flush(bytes, ref byteCount, output);
                    output.Append((char)value);
                }
                else
                {
                    if (byteCount == bytes.Length)
                    {
                        Flush(bytes, ref byteCount, output);
                    }

                    bytes[byteCount++] = (byte)value;
                }

                continue;
            }

            Flush(bytes, ref byteCount, output);
            if (e is 'u' or 'U')
            {
                value = ReadDigits(body, ref i, 16, e == 'u' ? 4 : 8);
                if (value < 0)
                {
                    output.Append('\\').Append(e);
                }
                else if (value == 0)
                {
                    return;
                }
                else if (value <= 0x10FFFF && value is < 0xD800 or > 0xDFFF)
                {
                    output.Append(char.ConvertFromUtf32(value));
                }
                else
                {
                    output.Append('\uFFFD');
                }

                continue;
            }

            if (e == 'c')
            {
                if (i >= body.Length)
                {
                    output.Append('\\').Append('c');
                    continue;
                }

                var x = body[i++];
                value = x == '?' ? 0x7F : char.ToUpperInvariant(x) & 0x1F;
                if (value == 0)
                {
                    return;
                }

                output.Append((char)value);
                continue;
            }

            var simple = Escape(e);
            if (simple >= 0)
            {
                output.Append((char)simple);
            }
            else
            {
                output.Append('\\').Append(e);
            }
        }

        Flush(bytes, ref byteCount, output);
    }

    /// <summary>The character a one-letter escape stands for, or -1 when it is not one (kept as written).</summary>
    protected virtual int Escape(char e) => e switch
    {
        'a' => 7,
        'b' => 8,
        'e' or 'E' => 27,
        'f' => 12,
        'n' => 10,
        'r' => 13,
        't' => 9,
        'v' => 11,
        '\\' => '\\',
        '\'' => '\'',
        '"' => '"',
        '?' => '?',
        _ => -1,
    };

    private static int ReadDigits(ReadOnlySpan<char> body, ref int i, int radix, int max)
    {
        var value = 0;
        var digits = 0;
        while (digits < max && i < body.Length && HexValue(body[i]) is var d && d >= 0 && d < radix)
        {
            value = value * radix + d;
            i++;
            digits++;
        }

        return digits == 0 ? -1 : value;
    }

    internal static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static void Flush(Span<byte> bytes, ref int count, StringBuilder output)
    {
        if (count == 0)
        {
            return;
        }

        output.Append(Encoding.UTF8.GetString(bytes[..count]));
        count = 0;
    }
}
