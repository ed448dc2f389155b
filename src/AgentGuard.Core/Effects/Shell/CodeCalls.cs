using System.Text;

namespace AgentGuard.Effects.Shell;

/// <summary>
/// The common file calls of inline Python, Node and Ruby code whose arguments are literals (or
/// names assigned a literal earlier in the code): <c>shutil.copy(a, b)</c>, <c>os.utime(p)</c>,
/// <c>open(p, 'w')</c>, <c>fs.writeFileSync(p)</c>, <c>FileUtils.rm_rf(p)</c>... as exact effects.
/// </summary>
internal static class CodeCalls
{
    private enum Call
    {
        Copy,
        CopyPreserving,
        CopyTree,
        Move,
        SetTime,
        Delete,
        DeleteTree,
        Open,
        Write,
        Read,
    }

    private static readonly (string Name, Call Call)[] Calls =
    [
        ("shutil.copyfile(", Call.Copy), ("shutil.copy2(", Call.CopyPreserving), ("shutil.copy(", Call.Copy), ("shutil.copytree(", Call.CopyTree),
        ("shutil.move(", Call.Move), ("os.rename(", Call.Move), ("os.replace(", Call.Move), ("os.renames(", Call.Move),
        ("os.utime(", Call.SetTime), ("os.remove(", Call.Delete), ("os.unlink(", Call.Delete), ("os.rmdir(", Call.Delete), ("shutil.rmtree(", Call.DeleteTree),
        ("os.truncate(", Call.Write), ("os.chmod(", Call.Write), ("os.chown(", Call.Write), ("open(", Call.Open),
        ("copyFileSync(", Call.Copy), ("copyFile(", Call.Copy), ("cpSync(", Call.CopyTree), ("renameSync(", Call.Move), ("rename(", Call.Move),
        ("writeFileSync(", Call.Write), ("writeFile(", Call.Write), ("appendFileSync(", Call.Write), ("appendFile(", Call.Write), ("truncateSync(", Call.Write),
        ("unlinkSync(", Call.Delete), ("unlink(", Call.Delete), ("rmSync(", Call.DeleteTree), ("rmdirSync(", Call.Delete), ("utimesSync(", Call.SetTime), ("utimes(", Call.SetTime),
        ("readFileSync(", Call.Read), ("readFile(", Call.Read), ("createReadStream(", Call.Read), ("createWriteStream(", Call.Write),
        ("FileUtils.cp(", Call.Copy), ("FileUtils.cp_r(", Call.CopyTree), ("FileUtils.mv(", Call.Move), ("FileUtils.rm(", Call.Delete), ("FileUtils.rm_f(", Call.Delete),
        ("FileUtils.rm_rf(", Call.DeleteTree), ("FileUtils.touch(", Call.SetTime), ("File.write(", Call.Write), ("File.delete(", Call.Delete), ("File.utime(", Call.SetTime),
        ("IO.write(", Call.Write), ("File.read(", Call.Read),
        ("write_text(", Call.Write), ("write_bytes(", Call.Write), ("touch(", Call.SetTime), ("read_text(", Call.Read), ("read_bytes(", Call.Read),
    ];

    public static void Add(ShellEffectCollector c, string code, string? cwd)
    {
        Dictionary<string, string>? variables = null;
        foreach (var (name, call) in Calls)
        {
            var at = 0;
            while ((at = code.IndexOf(name, at, StringComparison.Ordinal)) >= 0)
            {
                var start = at + name.Length;
                at = start;

                // "open(" must not be the tail of another name (reopen(, os.popen().
                if (call == Call.Open && start - name.Length > 0 && (char.IsAsciiLetterOrDigit(code[start - name.Length - 1]) || code[start - name.Length - 1] is '_' or '.'))
                {
                    continue;
                }

                variables ??= Assignments(code);
                var arguments = Arguments(code, start, variables);

                // pathlib: Path('x').write_text(...) — the path is the receiver.
                if (name is "write_text(" or "write_bytes(" or "touch(" or "read_text(" or "read_bytes(")
                {
                    var receiver = Receiver(code, start - name.Length, variables);
                    if (receiver is null)
                    {
                        continue;
                    }

                    arguments.Insert(0, receiver);
                }

                AddCall(c, call, arguments, cwd);
            }
        }
    }

    private static void AddCall(ShellEffectCollector c, Call call, List<string?> arguments, string? cwd)
    {
        var first = arguments.Count > 0 ? arguments[0] : null;
        if (first is null)
        {
            return;
        }

        var source = Resource(c, first, cwd);
        switch (call)
        {
            case Call.Copy or Call.CopyPreserving or Call.CopyTree or Call.Move:
                if (arguments.Count < 2 || arguments[1] is not { } second)
                {
                    return;
                }

                var destination = Resource(c, second, cwd);
                var kind = call == Call.Move ? EffectKind.Move : EffectKind.Copy;
                var landing = call == Call.CopyTree ? ShellCopies.Landing.AsFile : ShellCopies.LandingOf(1, second, false);
                ShellCopies.Add(c, kind, source, destination, landing, recursive: call == Call.CopyTree, freshTime: call == Call.Copy);
                break;
            case Call.SetTime:
                c.Add(EffectKind.SetTime, source);
                break;
            case Call.Delete:
                c.Add(EffectKind.Delete, source);
                break;
            case Call.DeleteTree:
                c.Add(EffectKind.Delete, source);
                c.Add(EffectKind.Delete, ShellPaths.Under(source));
                break;
            case Call.Write:
                c.Add(EffectKind.Write, source, value: arguments.Count > 1 ? arguments[1] : null);
                break;
            case Call.Read:
                c.Add(EffectKind.Read, source);
                break;
            case Call.Open:
                var mode = arguments.Count > 1 ? arguments[1] ?? string.Empty : "r";
                c.Add(mode.AsSpan().IndexOfAny("wax+") >= 0 ? EffectKind.Write : EffectKind.Read, source);
                break;
        }
    }

    private static ShellResource Resource(ShellEffectCollector c, string path, string? cwd)
        => ShellPaths.Resolve(c.Host, path, pattern: false, opaque: false, cwd);

    /// <summary>The call's arguments from <paramref name="start"/> to the closing parenthesis; <see langword="null"/> for one that is not a literal.</summary>
    private static List<string?> Arguments(string code, int start, Dictionary<string, string> variables)
    {
        var arguments = new List<string?>(2);
        var depth = 0;
        var argumentStart = start;
        for (var i = start; i < code.Length; i++)
        {
            var ch = code[i];
            if (ch is '\'' or '"' or '`')
            {
                var close = code.IndexOf(ch, i + 1);
                i = close < 0 ? code.Length : close;
                continue;
            }

            if (ch is '(' or '[' or '{')
            {
                depth++;
            }
            else if (ch is ')' or ']' or '}' && depth > 0)
            {
                depth--;
            }
            else if (ch is ',' or ')' && depth == 0)
            {
                arguments.Add(Evaluate(code.AsSpan(argumentStart, i - argumentStart), variables));
                argumentStart = i + 1;
                if (ch == ')')
                {
                    break;
                }
            }
        }

        return arguments;
    }

    /// <summary>A literal expression: quoted strings joined by <c>+</c>, names of literals, <c>os.path.join</c>/<c>Path</c> of literals.</summary>
    private static string? Evaluate(ReadOnlySpan<char> expression, Dictionary<string, string> variables)
    {
        var text = expression.Trim();
        var keyword = text.IndexOf('=');
        if (keyword > 0 && text[..keyword].Trim() is "mode" or "flags")
        {
            text = text[(keyword + 1)..].Trim();
        }

        if (text.StartsWith("os.path.join(") || text.StartsWith("path.join(") || text.StartsWith("Path(") || text.StartsWith("pathlib.Path(") || text.StartsWith("File.join("))
        {
            var open = text.IndexOf('(');
            var close = text.LastIndexOf(')');
            if (close <= open)
            {
                return null;
            }

            var parts = new List<string?>();
            var inner = text[(open + 1)..close].ToString() + ")";
            parts = Arguments(inner, 0, variables);
            var builder = new StringBuilder();
            foreach (var part in parts)
            {
                if (part is null)
                {
                    return null;
                }

                if (builder.Length > 0 && part.StartsWith('/'))
                {
                    builder.Clear();
                }

                if (builder.Length > 0 && builder[^1] != '/')
                {
                    builder.Append('/');
                }

                builder.Append(part);
            }

            var rest = text[(close + 1)..].Trim();
            if (rest.StartsWith("/"))
            {
                var tail = Evaluate(rest[1..], variables);
                return tail is null ? null : builder.Append('/').Append(tail).ToString();
            }

            return builder.ToString();
        }

        var result = new StringBuilder();
        foreach (var range in text.Split('+'))
        {
            var piece = text[range].Trim();
            if (piece.Length >= 2 && piece[0] is '\'' or '"' or '`' && piece[^1] == piece[0])
            {
                result.Append(piece[1..^1]);
            }
            else if (piece.Length >= 3 && piece[0] is 'r' or 'b' or 'f' && piece[1] is '\'' or '"' && piece[^1] == piece[1])
            {
                result.Append(piece[2..^1]);
            }
            else if (variables.TryGetValue(piece.ToString(), out var value))
            {
                result.Append(value);
            }
            else
            {
                return null;
            }
        }

        return result.ToString();
    }

    /// <summary>Names assigned a literal expression: <c>p = '/data/x'</c>, <c>const p = "/data/x"</c>.</summary>
    private static Dictionary<string, string> Assignments(string code)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var range in code.AsSpan().SplitAny(";\n"))
        {
            var statement = code.AsSpan(range.Start.Value, range.End.Value - range.Start.Value).Trim();
            foreach (var prefix in (string[])["const ", "let ", "var "])
            {
                if (statement.StartsWith(prefix))
                {
                    statement = statement[prefix.Length..];
                }
            }

            var equals = statement.IndexOf('=');
            if (equals <= 0 || equals + 1 >= statement.Length || statement[equals + 1] == '=')
            {
                continue;
            }

            var name = statement[..equals].Trim();
            if (name.IsEmpty || !IsIdentifier(name))
            {
                continue;
            }

            if (Evaluate(statement[(equals + 1)..], variables) is { } value)
            {
                variables[name.ToString()] = value;
            }
        }

        return variables;
    }

    private static bool IsIdentifier(ReadOnlySpan<char> name)
    {
        foreach (var ch in name)
        {
            if (!char.IsAsciiLetterOrDigit(ch) && ch != '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The path a pathlib call is made on: <c>Path('x').write_text</c> or <c>p.write_text</c>.</summary>
    private static string? Receiver(string code, int callStart, Dictionary<string, string> variables)
    {
        if (callStart <= 1 || code[callStart - 1] != '.')
        {
            return null;
        }

        var end = callStart - 1;
        if (code[end - 1] == ')')
        {
            var depth = 0;
            for (var i = end - 1; i >= 0; i--)
            {
                if (code[i] == ')')
                {
                    depth++;
                }
                else if (code[i] == '(' && --depth == 0)
                {
                    var nameStart = i;
                    while (nameStart > 0 && (char.IsAsciiLetterOrDigit(code[nameStart - 1]) || code[nameStart - 1] is '.' or '_'))
                    {
                        nameStart--;
                    }

                    return Evaluate(code.AsSpan(nameStart, end - nameStart), variables);
                }
            }

            return null;
        }

        var start = end;
        while (start > 0 && (char.IsAsciiLetterOrDigit(code[start - 1]) || code[start - 1] == '_'))
        {
            start--;
        }

        return variables.TryGetValue(code[start..end], out var value) ? value : null;
    }
}
