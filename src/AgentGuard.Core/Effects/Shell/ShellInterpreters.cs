namespace AgentGuard.Effects.Shell;

/// <summary>
/// Language interpreters: a script file is an exec of that file; inline code (<c>-c</c>, <c>-e</c>,
/// <c>-r</c>, a here-document or pipe) is opaque and scanned for names; <c>-i</c> edits (perl) are
/// writes; module servers (<c>python3 -m http.server</c>, <c>php -S</c>) are egress of their folder.
/// </summary>
internal static class ShellInterpreters
{
    private static readonly ShellOptionSpec HttpServerSpec = new ShellOptionSpec("db", ["directory", "bind", "protocol"]);
    /// <summary>One interpreter's command line: options with values, options whose value is inline code.</summary>
    /// <remarks>The interpreters are the instances below, told apart by reference (a record's == compares every field).</remarks>
    private sealed record Interpreter(ShellOptionSpec Spec, string CodeShort, string[] CodeLong);

    private static readonly Interpreter Python = new(new("cmWXQ", StopAtOperand: true), "c", ["command"]);
    private static readonly Interpreter Node = new(new("erpC", ["eval", "print", "require", "import", "loader", "conditions", "input-type", "env-file"], StopAtOperand: true), "ep", ["eval", "print"]);
    private static readonly Interpreter Ruby = new(new("erICEFx", StopAtOperand: true), "e", []);
    private static readonly Interpreter Perl = new(new("eEIMmC", ShortOptionalValue: "il0xFdD", StopAtOperand: true), "eE", []);
    private static readonly Interpreter Php = new(new("rSftcdBRFEzn", StopAtOperand: true), "rBRFE", []);
    private static readonly Interpreter Simple = new(new("el", StopAtOperand: true), "e", ["expr"]);
    private static readonly Interpreter PowerShell = new(new("cCfFeE", ["command", "c", "file", "encodedcommand", "ec", "executionpolicy", "workingdirectory", "configurationname"], StopAtOperand: true, SingleDashLong: true), "c", ["command", "c", "encodedcommand", "ec"]);

    public static void Register(Dictionary<string, ShellCommandHandler> table)
    {
        foreach (var name in (string[])["python", "python2", "python3", "pypy", "pypy3", "ipython", "uv-run"])
        {
            table[name] = (c, inv) => Run(c, inv, Python);
        }

        foreach (var name in (string[])["node", "nodejs", "bun", "deno", "ts-node", "tsx"])
        {
            table[name] = (c, inv) => Run(c, inv, Node);
        }

        table["ruby"] = (c, inv) => Run(c, inv, Ruby);
        table["perl"] = (c, inv) => Run(c, inv, Perl);
        table["php"] = (c, inv) => Run(c, inv, Php);
        foreach (var name in (string[])["Rscript", "lua", "luajit", "osascript", "tclsh", "wish", "julia", "groovy", "jshell", "scala"])
        {
            table[name] = (c, inv) => Run(c, inv, Simple);
        }

        table["pwsh"] = (c, inv) => Run(c, inv, PowerShell);
        table["powershell"] = (c, inv) => Run(c, inv, PowerShell);
        table["powershell.exe"] = (c, inv) => Run(c, inv, PowerShell);
    }

    private static void Run(ShellEffectCollector c, ShellInvocation inv, Interpreter interpreter)
    {
        var name = ShellEffectCollector.CommandName(inv.Name.Text);
        using var args = inv.Parse(interpreter.Spec);
        string? code = null;
        foreach (var option in args.Options)
        {
            if (option.Value is null)
            {
                continue;
            }

            var isCode = (option.Long is null && interpreter.CodeShort.Contains(option.Short)) || (option.Long is not null && Array.IndexOf(interpreter.CodeLong, option.Long.ToLowerInvariant()) >= 0);
            if (isCode)
            {
                var text = option.Value.Text;
                if (option.Long is "encodedcommand" or "ec" || (option.Long is null && option.Short is 'e' or 'E' && ReferenceEquals(interpreter, PowerShell)))
                {
                    text = OpaqueCode.DecodeBase64(text, utf16: true) ?? text;
                }

                code = code is null ? text : code + "\n" + text;
            }
        }

        var words = inv.Words;
        var operandStart = args.OperandStart;

        // Servers over a folder: python -m http.server, php -S, ruby -run -e httpd.
        if (ReferenceEquals(interpreter, Python) && args.Value('m')?.Text is { } module)
        {
            // The module's own arguments start after its name (python3 -m http.server -d DIR).
            var moduleArguments = ModuleArguments(words, inv.First);
            if (module is "http.server" or "SimpleHTTPServer" or "uploadserver" or "RangeHTTPServer")
            {
                PythonServer(c, inv, moduleArguments);
            }
            else
            {
                ReadPathOperands(c, inv, moduleArguments);
            }

            return;
        }

        if (ReferenceEquals(interpreter, Php) && args.Value('S') is { } address)
        {
            var colon = address.Text.LastIndexOf(':');
            var docroot = args.Value('t')?.Text;
            ShellNetworkCommands.Serve(c, inv, docroot, colon < 0 ? "80" : address.Text[(colon + 1)..]);
            return;
        }

        if (ReferenceEquals(interpreter, Ruby) && code == "httpd" && args.Value('r')?.Text == "un")
        {
            var port = "8080";
            string? directory = null;
            for (var i = operandStart; i < words.Count; i++)
            {
                if (words[i].Text == "-p" && i + 1 < words.Count)
                {
                    port = words[++i].Text;
                }
                else if (!words[i].Text.StartsWith('-'))
                {
                    directory = words[i].Text;
                }
            }

            ShellNetworkCommands.Serve(c, inv, directory, port);
            return;
        }

        if (ReferenceEquals(interpreter, Php) && args.Value('f') is { } phpFile)
        {
            c.AddFile(EffectKind.Exec, phpFile, inv.Cwd);
            ReadPathOperands(c, inv, operandStart);
            return;
        }

        if (ReferenceEquals(interpreter, Perl) && args.Has('i'))
        {
            PerlInPlace(c, inv, args, code, operandStart);
            return;
        }

        if (ReferenceEquals(interpreter, PowerShell) && args.Value("file") is { } psFile)
        {
            c.AddFile(EffectKind.Exec, psFile, inv.Cwd);
            return;
        }

        if (code is not null)
        {
            OpaqueCode.Scan(c, code, inv.Cwd, language: name);
            ReadPathOperands(c, inv, operandStart);
            return;
        }

        if (operandStart < words.Count && words[operandStart].Text != "-")
        {
            var script = words[operandStart];
            if (ReferenceEquals(interpreter, Node) && script.Text is "-" or "/dev/stdin")
            {
                ShellWrappers.CodeFromStandardInput(c, inv, name);
                return;
            }

            if (ReferenceEquals(interpreter, Node) && name is "deno" or "bun" && script.Text is "run" or "x" && operandStart + 1 < words.Count)
            {
                script = words[++operandStart];
            }

            c.AddFile(EffectKind.Exec, script, inv.Cwd);
            ReadPathOperands(c, inv, operandStart + 1);
            return;
        }

        ShellWrappers.CodeFromStandardInput(c, inv, name);
    }

    private static int ModuleArguments(IReadOnlyList<ShellWord> words, int first)
    {
        for (var i = first; i < words.Count; i++)
        {
            var text = words[i].Text;
            if (text == "-m")
            {
                return i + 2;
            }

            if (text.StartsWith("-m", StringComparison.Ordinal) || (text.StartsWith('-') && !text.StartsWith("--", StringComparison.Ordinal) && text.EndsWith('m')))
            {
                return text.EndsWith('m') ? i + 2 : i + 1;
            }
        }

        return words.Count;
    }


    /// <summary>python -m http.server [PORT] [-d DIR] [-b ADDR]: egress of the folder it serves.</summary>
    private static void PythonServer(ShellEffectCollector c, ShellInvocation inv, int start)
    {
        using var args = ShellArguments.Parse(inv.Words, start, HttpServerSpec);
        var port = "8000";
        foreach (var operand in args.Operands)
        {
            if (int.TryParse(operand.Text, out _))
            {
                port = operand.Text;
            }
        }

        ShellNetworkCommands.Serve(c, inv, args.Value('d', "directory")?.Text, port);
    }

    private static void PerlInPlace(ShellEffectCollector c, ShellInvocation inv, ShellArguments args, string? code, int operandStart)
    {
        var words = inv.Words;
        var first = operandStart;
        if (code is null && first < words.Count)
        {
            c.AddFile(EffectKind.Exec, words[first], inv.Cwd);
            first++;
        }

        for (var i = first; i < words.Count; i++)
        {
            c.AddFile(EffectKind.Write, words[i], inv.Cwd, value: code);
        }
    }

    /// <summary>Arguments of a script that look like paths are read (the script's effects on them are not known).</summary>
    internal static void ReadPathOperands(ShellEffectCollector c, ShellInvocation inv, int start)
    {
        for (var i = start; i < inv.Words.Count; i++)
        {
            var word = inv.Words[i];
            var text = word.Text;
            var equals = text.StartsWith('-') ? text.IndexOf('=') : -1;
            if (equals > 0)
            {
                word = word with { Text = text[(equals + 1)..] };
            }

            if (ShellPaths.LooksLikePath(word.Text))
            {
                c.AddFile(EffectKind.Read, word, inv.Cwd);
            }
        }
    }
}
