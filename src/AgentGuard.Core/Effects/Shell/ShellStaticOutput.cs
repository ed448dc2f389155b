using System.Globalization;
using System.Text;

namespace AgentGuard.Effects.Shell;

/// <summary>
/// The standard output of the commands whose output follows from their words and input alone:
/// <c>echo</c>, <c>printf</c> (<c>%s %b %d %c %%</c>), <c>cat</c> of its input, <c>base64 -d</c>,
/// <c>base64</c>, <c>xxd -r -p</c>, <c>basename</c>, <c>dirname</c>, <c>pwd</c>, <c>true</c>, <c>:</c>.
/// Anything else, or an operand that is a pattern, has unknown output (<see langword="null"/>).
/// </summary>
internal static class ShellStaticOutput
{
    /// <summary>Outputs longer than this are not kept.</summary>
    public const int MaxLength = 1 << 16;

    public static string? Of(IReadOnlyList<ShellWord> words, string? stdin, string? workingDirectory)
    {
        if (words.Count == 0)
        {
            return string.Empty;
        }

        for (var i = 0; i < words.Count; i++)
        {
            if (words[i].IsPattern || words[i].IsOpaque)
            {
                return null;
            }
        }

        var output = words[0].Text switch
        {
            "echo" => Echo(words),
            "printf" => Printf(words),
            "cat" => words.Count == 1 || (words.Count == 2 && words[1].Text == "-") ? stdin : null,
            "base64" => Base64(words, stdin),
            "xxd" => Xxd(words, stdin),
            "basename" => words.Count is 2 or 3 ? Basename(words[1].Text, words.Count == 3 ? words[2].Text : null) + "\n" : null,
            "dirname" => words.Count == 2 ? Dirname(words[1].Text) + "\n" : null,
            "pwd" => workingDirectory is null ? null : workingDirectory + "\n",
            "true" or ":" or "false" => string.Empty,
            _ => null,
        };
        return output is { Length: > MaxLength } ? null : output;
    }

    private static string Echo(IReadOnlyList<ShellWord> words)
    {
        var newline = true;
        var escapes = false;
        var i = 1;
        for (; i < words.Count; i++)
        {
            var w = words[i].Text;
            if (w.Length < 2 || w[0] != '-' || w.AsSpan(1).IndexOfAnyExcept("neE") >= 0)
            {
                break;
            }

            foreach (var c in w.AsSpan(1))
            {
                newline &= c != 'n';
                escapes = c == 'e' || (escapes && c != 'E');
            }
        }

        var sb = new StringBuilder();
        for (var j = i; j < words.Count; j++)
        {
            if (j > i)
            {
                sb.Append(' ');
            }

            if (!escapes || !AppendEscaped(words[j].Text, sb))
            {
                if (!escapes)
                {
                    sb.Append(words[j].Text);
                }
                else
                {
                    return sb.ToString(); // \c: no further output
                }
            }
        }

        if (newline)
        {
            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Appends <paramref name="text"/> with echo -e / printf %b escapes decoded; false when <c>\c</c> ended the output.</summary>
    private static bool AppendEscaped(string text, StringBuilder sb)
    {
        var stop = text.IndexOf("\\c", StringComparison.Ordinal);
        var body = stop < 0 ? text : text[..stop];

        // echo -e spells octal as \0NNN; $'...' as \NNN.
        var normalized = body.Replace("\\0", "\\", StringComparison.Ordinal);
        AnsiCDecoder.Default.Decode(normalized, sb);
        return stop < 0;
    }

    private static string? Printf(IReadOnlyList<ShellWord> words)
    {
        var start = 1;
        if (words.Count > 1 && words[1].Text == "--")
        {
            start = 2;
        }

        if (words.Count <= start)
        {
            return null;
        }

        if (words[start].Text == "-v")
        {
            return null;
        }

        var format = words[start].Text;
        var args = start + 1;
        var sb = new StringBuilder();
        var rounds = 0;
        do
        {
            var consumed = false;
            for (var i = 0; i < format.Length; i++)
            {
                var c = format[i];
                if (c == '\\')
                {
                    if (i + 1 < format.Length && format[i + 1] == 'c')
                    {
                        return sb.ToString();
                    }

                    // Decode the escape alone: one letter, or an octal/hex run.
                    var length = EscapeLength(format, i);
                    AnsiCDecoder.Default.Decode(format.AsSpan(i, length), sb);
                    i += length - 1;
                    continue;
                }

                if (c != '%')
                {
                    sb.Append(c);
                    continue;
                }

                if (i + 1 >= format.Length)
                {
                    return null;
                }

                var spec = format[++i];
                if (spec == '%')
                {
                    sb.Append('%');
                    continue;
                }

                var arg = args < words.Count ? words[args].Text : null;
                if (arg is not null)
                {
                    args++;
                    consumed = true;
                }

                switch (spec)
                {
                    case 's':
                        sb.Append(arg);
                        break;
                    case 'b':
                        if (arg is not null && !AppendEscaped(arg, sb))
                        {
                            return sb.ToString();
                        }

                        break;
                    case 'c':
                        if (!string.IsNullOrEmpty(arg))
                        {
                            sb.Append(arg[0]);
                        }

                        break;
                    case 'd' or 'i':
                        if (arg is null || arg.Length == 0)
                        {
                            sb.Append('0');
                        }
                        else if (long.TryParse(arg, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                        {
                            sb.Append(n.ToString(CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            return null;
                        }

                        break;
                    default:
                        return null;
                }

                if (sb.Length > MaxLength)
                {
                    return null;
                }
            }

            if (!consumed)
            {
                break;
            }
        }
        while (args < words.Count && ++rounds < 1000);

        return sb.ToString();
    }

    private static int EscapeLength(string format, int i)
    {
        if (i + 1 >= format.Length)
        {
            return 1;
        }

        var e = format[i + 1];
        var end = i + 2;
        var (max, isDigit) = e switch
        {
            'x' => (2, (Func<char, bool>)char.IsAsciiHexDigit),
            'u' => (4, char.IsAsciiHexDigit),
            'U' => (8, char.IsAsciiHexDigit),
            >= '0' and <= '7' => (2, c => c is >= '0' and <= '7'),
            _ => (0, _ => false),
        };
        while (end < format.Length && end - (i + 2) < max && isDigit(format[end]))
        {
            end++;
        }

        return end - i;
    }

    private static string? Base64(IReadOnlyList<ShellWord> words, string? stdin)
    {
        var decode = false;
        for (var i = 1; i < words.Count; i++)
        {
            var w = words[i].Text;
            if (w is "-d" or "--decode" or "-D" or "-di" or "-id")
            {
                decode = true;
            }
            else if (w is "-i" or "--ignore-garbage" or "-w0" or "-w" or "0" || w.StartsWith("--wrap", StringComparison.Ordinal))
            {
            }
            else
            {
                return null; // a file operand
            }
        }

        if (stdin is null)
        {
            return null;
        }

        if (!decode)
        {
            return Convert.ToBase64String(Encoding.UTF8.GetBytes(stdin)) + "\n";
        }

        var compact = new StringBuilder(stdin.Length);
        foreach (var c in stdin)
        {
            if (!char.IsWhiteSpace(c))
            {
                compact.Append(c);
            }
        }

        while (compact.Length % 4 != 0)
        {
            compact.Append('=');
        }

        var bytes = new byte[compact.Length / 4 * 3];
        return Convert.TryFromBase64String(compact.ToString(), bytes, out var written) ? Encoding.UTF8.GetString(bytes, 0, written) : null;
    }

    private static string? Xxd(IReadOnlyList<ShellWord> words, string? stdin)
    {
        var reverse = false;
        var plain = false;
        for (var i = 1; i < words.Count; i++)
        {
            switch (words[i].Text)
            {
                case "-r" or "-revert":
                    reverse = true;
                    break;
                case "-p" or "-ps" or "-plain" or "-postscript":
                    plain = true;
                    break;
                case "-rp" or "-pr":
                    reverse = plain = true;
                    break;
                default:
                    return null;
            }
        }

        if (!reverse || !plain || stdin is null)
        {
            return null;
        }

        var bytes = new List<byte>(stdin.Length / 2);
        var high = -1;
        foreach (var c in stdin)
        {
            var v = AnsiCDecoder.HexValue(c);
            if (v < 0)
            {
                continue;
            }

            if (high < 0)
            {
                high = v;
            }
            else
            {
                bytes.Add((byte)(high * 16 + v));
                high = -1;
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    internal static string Basename(string path, string? suffix)
    {
        var trimmed = path.TrimEnd('/');
        if (trimmed.Length == 0)
        {
            return path.Length > 0 ? "/" : string.Empty;
        }

        var name = trimmed[(trimmed.LastIndexOf('/') + 1)..];
        if (!string.IsNullOrEmpty(suffix) && name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal))
        {
            name = name[..^suffix.Length];
        }

        return name;
    }

    internal static string Dirname(string path)
    {
        var trimmed = path.TrimEnd('/');
        if (trimmed.Length == 0)
        {
            return path.Length > 0 ? "/" : ".";
        }

        var slash = trimmed.LastIndexOf('/');
        if (slash < 0)
        {
            return ".";
        }

        var dir = trimmed[..slash].TrimEnd('/');
        return dir.Length == 0 ? "/" : dir;
    }
}
