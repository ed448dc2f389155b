using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace AgentGuard.Effects.Shell;

/// <summary>
/// Code the analyser cannot follow (inline interpreter code, a computed command, an unparsable
/// script): one opaque marker with the code, plus an opaque effect for every path-like literal or
/// protected-looking name in it (base64 and hex literals decoded), and the exact effects of the
/// common Python, Node and Ruby file calls whose arguments are literals.
/// </summary>
internal static class OpaqueCode
{
    /// <summary>Longest code scanned for names: as long as the parser reads (padding cannot hide a name).</summary>
    private const int MaxScan = ShellParser.MaxLength;

    /// <summary>Names kept from one piece of code; past it, the code could name anything (<see cref="ShellEffectCollector.Everything"/>).</summary>
    private const int MaxNames = 512;

    /// <summary>Words that make a string worth naming even without a slash or an extension: the study's protected things and credentials.</summary>
    private static readonly string[] ProtectedWords =
        ["shutdown", "weight", "safetensors", "checkpoint", "ckpt", "policy", "policies", "agentguard", "guard", "audit", "id_rsa", "id_ed25519", "authorized_keys", ".ssh", "crontab", "model", "gemini"];

    private static readonly SearchValues<char> NotBase64 = SearchValues.Create(
        Enumerable.Range(0, 128).Select(i => (char)i).Where(ch => !(char.IsAsciiLetterOrDigit(ch) || ch is '+' or '/' or '=' or '-' or '_' or '\n' or '\r')).ToArray());

    private static readonly SearchValues<char> NameDelimiters = SearchValues.Create(" \t\r\n'\"`(),;=<>|&{}[]");

    public static void Scan(ShellEffectCollector c, string code, string? cwd, string? language = null)
    {
        c.AddOpaque(code);
        var text = code.Length > MaxScan ? code[..MaxScan] : code;
        var names = new List<string>(4);
        Literals(text, names);
        BareNames(text, names);
        var count = names.Count;
        for (var i = 0; i < count && i < MaxNames; i++)
        {
            // A base64 or hex literal is decoded and scanned too (exec(base64.b64decode('...'))).
            var decoded = DecodeBase64(names[i]) ?? DecodeHex(names[i]);
            if (decoded is not null && c.Depth < ShellEffectCollector.MaxDepth)
            {
                Literals(decoded, names);
                BareNames(decoded, names);
                if (language is not null)
                {
                    CodeCalls.Add(c, decoded, cwd);
                }

                if (language is null || LooksLikeShell(decoded))
                {
                    c.AnalyzeSource(decoded, cwd);
                }
            }
        }

        for (var i = 0; i < names.Count && i < MaxNames * 2; i++)
        {
            AddName(c, names[i], cwd);
        }

        if (names.Count >= MaxNames * 2)
        {
            c.Add(EffectKind.Exec, ShellEffectCollector.Everything, null, null, EffectFlags.ResourcePattern | EffectFlags.Opaque);
        }

        if (language is not null && c.Depth < ShellEffectCollector.MaxDepth)
        {
            CodeCalls.Add(c, text, cwd);
            ShellStrings(c, text, names, cwd);
        }
    }

    /// <summary>An opaque Exec on the resource <paramref name="name"/> names, if it looks like a path or a protected thing.</summary>
    private static void AddName(ShellEffectCollector c, string name, string? cwd)
    {
        if (name.Contains("://", StringComparison.Ordinal))
        {
            var url = ShellNetworkCommands.CanonicalUrl(name);
            c.Add(EffectKind.Exec, url, null, null, EffectFlags.Opaque);
            return;
        }

        if (name.AsSpan().IndexOfAny(' ', '\n', '\t') >= 0)
        {
            foreach (var range in name.AsSpan().SplitAny(" \n\t"))
            {
                var token = name[range];
                if (token.Length > 0 && token.Length < name.Length)
                {
                    AddName(c, token, cwd);
                }
            }

            return;
        }

        if (!ShellPaths.LooksLikePath(name) && !LooksProtected(name))
        {
            return;
        }

        var trimmed = name.Trim().TrimEnd(':', ',', ';', '.');
        if (trimmed.Length == 0 || trimmed.Length > 1024)
        {
            return;
        }

        // Glob characters in code are taken as patterns: the code may expand them (glob.glob, shell=True).
        var resource = ShellPaths.Resolve(c.Host, trimmed, pattern: trimmed.AsSpan().IndexOfAny('*', '?') >= 0, opaque: true, cwd);
        c.Add(EffectKind.Exec, resource.Uri, null, null, resource.AsResource);
    }

    private static bool LooksProtected(string name)
    {
        if (name.Length < 4 || name.Length > 256)
        {
            return false;
        }

        foreach (var word in ProtectedWords)
        {
            if (name.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return name.AsSpan().IndexOfAny(' ', '\n', '\t') < 0;
            }
        }

        return false;
    }

    /// <summary>String literals of <paramref name="code"/>, adjacent or <c>+</c>-joined ones concatenated, <c>os.path.join</c> and <c>Path / 'x'</c> joined with a slash.</summary>
    internal static void Literals(string code, List<string> names, bool concatenate = true)
    {
        var i = 0;
        while (i < code.Length && names.Count < MaxNames * 2)
        {
            var quote = code[i];
            if (quote is not ('\'' or '"' or '`'))
            {
                i++;
                continue;
            }

            var joinCall = i >= 5 && code.AsSpan(0, i).TrimEnd().EndsWith("join(");
            var builder = new StringBuilder();
            i = ReadLiteral(code, i, builder);
            while (concatenate && i < code.Length)
            {
                var j = i;
                while (j < code.Length && code[j] is ' ' or '\t')
                {
                    j++;
                }

                if (j < code.Length && code[j] == ')' && !joinCall)
                {
                    // Path('/data') / 'x'
                    var k = j + 1;
                    while (k < code.Length && code[k] == ' ')
                    {
                        k++;
                    }

                    if (k < code.Length && code[k] == '/')
                    {
                        j = k;
                    }
                }

                char separator;
                if (j < code.Length && code[j] is '+' or '.' && (code[j] == '+' || (j + 1 < code.Length && code[j + 1] == '.')))
                {
                    separator = '\0';
                    j += code[j] == '.' ? 2 : 1;
                }
                else if (j < code.Length && (code[j] == '/' || (code[j] == ',' && joinCall)))
                {
                    separator = '/';
                    j++;
                }
                else if (j > i && j < code.Length && code[j] is '\'' or '"')
                {
                    separator = '\0';
                }
                else
                {
                    break;
                }

                while (j < code.Length && code[j] is ' ' or '\t')
                {
                    j++;
                }

                if (j >= code.Length || code[j] is not ('\'' or '"' or '`'))
                {
                    break;
                }

                if (separator == '/')
                {
                    builder.Append('/');
                }

                i = ReadLiteral(code, j, builder);
            }

            if (builder.Length > 0)
            {
                names.Add(builder.ToString());
            }
        }
    }

    /// <summary>Reads the literal opening at <paramref name="start"/> (a few common escapes); returns the index after it.</summary>
    private static int ReadLiteral(string code, int start, StringBuilder builder)
    {
        var quote = code[start];
        var i = start + 1;
        while (i < code.Length && code[i] != quote)
        {
            if (code[i] == '\\' && i + 1 < code.Length)
            {
                var next = code[i + 1];
                if (next == 'x' && i + 3 < code.Length && char.IsAsciiHexDigit(code[i + 2]) && char.IsAsciiHexDigit(code[i + 3]))
                {
                    builder.Append((char)Convert.ToInt32(code.Substring(i + 2, 2), 16));
                    i += 4;
                    continue;
                }

                if (next is >= '0' and <= '7' && i + 3 < code.Length && code[i + 2] is >= '0' and <= '7' && code[i + 3] is >= '0' and <= '7')
                {
                    builder.Append((char)Convert.ToInt32(code.Substring(i + 1, 3), 8));
                    i += 4;
                    continue;
                }

                builder.Append(next switch { 'n' => '\n', 't' => '\t', _ => next });
                i += 2;
                continue;
            }

            builder.Append(code[i]);
            i++;
        }

        return Math.Min(i + 1, code.Length);
    }

    /// <summary>Unquoted tokens that are absolute or home paths (<c>/data/x</c>, <c>~/.ssh/id_rsa</c>) and protected-looking words.</summary>
    private static void BareNames(string code, List<string> names)
    {
        var span = code.AsSpan();
        var i = 0;
        while (i < span.Length && names.Count < MaxNames * 2)
        {
            // Quoted text is read by Literals.
            if (span[i] is '\'' or '"')
            {
                var close = span[(i + 1)..].IndexOf(span[i]);
                i = close < 0 ? span.Length : i + close + 2;
                continue;
            }

            var rest = span[i..];
            var end = rest.IndexOfAny(NameDelimiters);
            var token = end < 0 ? rest : rest[..end];
            if (token.Length > 1 && (token[0] == '/' || token.StartsWith("~/") || token.StartsWith("./")) && !token.StartsWith("//"))
            {
                names.Add(token.ToString());
            }
            else if (token.Length >= 4 && token.IndexOf('.') < 0 && LooksProtected(token.ToString()) && IsNameLike(token))
            {
                names.Add(token.ToString());
            }

            i += end < 0 ? rest.Length : end + 1;
        }
    }

    private static bool IsNameLike(ReadOnlySpan<char> token)
    {
        foreach (var ch in token)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-' or '.' or '*' or '?'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Shell commands passed as strings to os.system, subprocess, child_process, backticks: analysed as shell.</summary>
    private static void ShellStrings(ShellEffectCollector c, string code, List<string> names, string? cwd)
    {
        if (!(code.Contains("system", StringComparison.Ordinal) || code.Contains("subprocess", StringComparison.Ordinal) || code.Contains("popen", StringComparison.OrdinalIgnoreCase)
              || code.Contains("exec", StringComparison.Ordinal) || code.Contains("spawn", StringComparison.Ordinal) || code.Contains('`')))
        {
            return;
        }

        var joined = ListCommand(code);
        if (joined is not null)
        {
            c.AnalyzeSource(joined, cwd);
        }

        foreach (var name in names)
        {
            if (name.Contains(' ') && LooksLikeShell(name))
            {
                c.AnalyzeSource(name, cwd);
            }
        }
    }

    /// <summary><c>subprocess.run(['rm', '-rf', '/data'])</c>: the list's literals as one quoted command.</summary>
    private static string? ListCommand(string code)
    {
        var open = code.IndexOf("([", StringComparison.Ordinal);
        if (open < 0)
        {
            return null;
        }

        var close = code.IndexOf(']', open);
        if (close < 0)
        {
            return null;
        }

        var items = new List<string>();
        Literals(code[(open + 2)..close], items, concatenate: false);
        if (items.Count == 0)
        {
            return null;
        }

        var builder = new StringBuilder();
        foreach (var item in items)
        {
            builder.Append('\'').Append(item.Replace("'", "'\\''", StringComparison.Ordinal)).Append("' ");
        }

        return builder.ToString();
    }

    /// <summary>Whether text starts with a command the analyser knows (so it is worth analysing as shell).</summary>
    private static bool LooksLikeShell(string text)
    {
        var trimmed = text.AsSpan().TrimStart();
        var end = trimmed.IndexOfAny(' ', '\t', '\n');
        var first = (end < 0 ? trimmed : trimmed[..end]).ToString();
        return end > 0 && ShellCommandTable.TryGet(ShellEffectCollector.CommandName(first), out _);
    }

    /// <summary>Decodes a base64 literal of printable UTF-8 text (8+ characters), or returns <see langword="null"/>.</summary>
    public static string? DecodeBase64(string text, bool utf16 = false)
    {
        var trimmed = text.Trim();
        if (trimmed.Length < 8 || trimmed.Length > MaxScan || trimmed.AsSpan().ContainsAny(NotBase64) || trimmed.AsSpan().ContainsAnyExceptInRange((char)0, (char)127))
        {
            return null;
        }

        var compact = trimmed.Replace("\n", string.Empty, StringComparison.Ordinal).Replace("\r", string.Empty, StringComparison.Ordinal);
        if (compact.Length % 4 != 0)
        {
            compact = compact.PadRight(compact.Length + (4 - (compact.Length % 4)), '=');
        }

        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(compact.Length)];
        if (!Convert.TryFromBase64String(compact, bytes, out var written) || written == 0)
        {
            return null;
        }

        var decoded = utf16 ? Encoding.Unicode.GetString(bytes, 0, written & ~1) : Encoding.UTF8.GetString(bytes, 0, written);
        return IsPrintable(decoded) ? decoded : null;
    }

    /// <summary>Decodes a hex literal (<c>726d202d7266</c>, <c>\x72\x6d</c>) of printable text, or returns <see langword="null"/>.</summary>
    public static string? DecodeHex(string text)
    {
        if (text.Length < 8 || !(char.IsAsciiHexDigit(text[0]) || text[0] == '\\'))
        {
            return null;
        }

        var compact = text.Replace("\\x", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal);
        if (compact.Length < 8 || compact.Length % 2 != 0 || compact.Length > MaxScan)
        {
            return null;
        }

        foreach (var ch in compact)
        {
            if (!char.IsAsciiHexDigit(ch))
            {
                return null;
            }
        }

        var decoded = Encoding.UTF8.GetString(Convert.FromHexString(compact));
        return IsPrintable(decoded) ? decoded : null;
    }

    private static bool IsPrintable(string text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var ch in text)
        {
            if (ch < ' ' && ch is not ('\n' or '\t' or '\r') || ch == '\uFFFD')
            {
                return false;
            }
        }

        return true;
    }
}
