namespace AgentGuard.Effects.Shell;

/// <summary>
/// curl, wget, nc, socat and file servers: uploads and served folders are egress of what they
/// carry to the URL or listening address; downloads are writes of the output file.
/// </summary>
internal static class ShellNetworkCommands
{
    private static readonly ShellOptionSpec SocatSpec = new ShellOptionSpec("dlLt");
    private static readonly ShellOptionSpec HttpdSpec = new ShellOptionSpec("phcrmeduiR");
    private static readonly ShellOptionSpec NodeServerSpec = new ShellOptionSpec("paCKSdtc", ["port", "address"]);
    private static readonly ShellOptionSpec CurlSpec = new(
        "ATdFHXuebcKoxwmrCyYzEQtUDP",
        ["upload-file", "data", "data-binary", "data-raw", "data-ascii", "data-urlencode", "form", "form-string", "json", "header", "request", "user", "user-agent",
         "referer", "cookie", "cookie-jar", "config", "output", "proxy", "write-out", "max-time", "connect-timeout", "retry", "retry-delay", "retry-max-time", "cert",
         "key", "cacert", "capath", "range", "continue-at", "speed-limit", "speed-time", "time-cond", "url", "output-dir", "dump-header", "trace", "trace-ascii",
         "stderr", "resolve", "connect-to", "interface", "limit-rate", "max-filesize", "oauth2-bearer", "proto", "proto-redir", "quote", "unix-socket", "netrc-file",
         "aws-sigv4", "variable", "expand-url", "expand-data", "mail-from", "mail-rcpt", "ftp-port", "hostpubsha256", "pinnedpubkey", "sslv"]);

    private static readonly ShellOptionSpec WgetSpec = new(
        "OoaPiUeBlIXDRAtTwQYe",
        ["output-document", "output-file", "append-output", "directory-prefix", "input-file", "user-agent", "execute", "base", "level", "include-directories",
         "exclude-directories", "domains", "reject", "accept", "tries", "timeout", "wait", "quota", "post-data", "post-file", "body-data", "body-file", "method",
         "header", "user", "password", "http-user", "http-password", "load-cookies", "save-cookies", "ca-certificate", "certificate", "private-key", "referer", "config", "bind-address", "limit-rate"]);

    private static readonly ShellOptionSpec NcSpec = new("pswiqxXeOIcTVM", ["exec", "sh-exec", "lua-exec", "proxy", "source", "wait", "idle-timeout", "send-only", "output"]);

    public static void Register(Dictionary<string, ShellCommandHandler> table)
    {
        table["curl"] = Curl;
        table["wget"] = Wget;
        table["wget2"] = Wget;
        table["nc"] = Nc;
        table["ncat"] = Nc;
        table["netcat"] = Nc;
        table["socat"] = Socat;
        table["http-server"] = NodeHttpServer;
        table["serve"] = NodeHttpServer;
        table["httpd"] = BusyboxHttpd;
    }

    /// <summary>A URL's canonical form (scheme and authority lower case, path normalised); <c>http://</c> when no scheme is given.</summary>
    public static string CanonicalUrl(string url)
    {
        if (!url.Contains("://", StringComparison.Ordinal))
        {
            url = "http://" + url;
        }

        return ResourceCanonicalizer.Canonicalize(url, out _) ?? url;
    }

    private static void Curl(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(CurlSpec);
        var urls = new List<string>(2);
        foreach (var operand in args.Operands)
        {
            urls.Add(operand.Text);
        }

        foreach (var option in args.Options)
        {
            if (option.Is("url") && option.Value is not null)
            {
                urls.Add(option.Value.Text);
            }
        }

        var remoteName = args.Has('O') || args.Has("remote-name") || args.Has("remote-name-all");
        foreach (var option in args.Options)
        {
            var value = option.Value;
            if (value is null)
            {
                continue;
            }

            if (option.Is('T') || option.Is("upload-file"))
            {
                Upload(c, inv, value, urls, remoteName: false);
            }
            else if (option.Is('d') || option.Is("data") || option.Is("data-binary") || option.Is("data-ascii") || option.Is("json") || option.Is("data-urlencode"))
            {
                var at = value.Text.IndexOf('@');
                if (at == 0 || (option.Is("data-urlencode") && at > 0))
                {
                    Upload(c, inv, value with { Text = value.Text[(at + 1)..] }, urls, remoteName: false);
                }
            }
            else if (option.Is('F') || option.Is("form"))
            {
                var at = value.Text.IndexOf("=@", StringComparison.Ordinal);
                var less = value.Text.IndexOf("=<", StringComparison.Ordinal);
                var start = at >= 0 ? at : less;
                if (start >= 0)
                {
                    var file = value.Text[(start + 2)..];
                    var semicolon = file.IndexOf(';');
                    Upload(c, inv, value with { Text = semicolon < 0 ? file : file[..semicolon] }, urls, remoteName: false);
                }
            }
            else if ((option.Is('o') || option.Is("output")) && value.Text != "-")
            {
                c.AddFile(EffectKind.Write, value, inv.Cwd);
            }
            else if (option.Is('K') || option.Is("config") || option.Is('E') || option.Is("cert") || option.Is("key") || option.Is("netrc-file"))
            {
                c.AddFile(EffectKind.Read, value, inv.Cwd);
            }
            else if ((option.Is('c') || option.Is("cookie-jar") || option.Is('D') || option.Is("dump-header") || option.Is("trace")) && value.Text != "-")
            {
                c.AddFile(EffectKind.Write, value, inv.Cwd);
            }
        }

        foreach (var url in urls)
        {
            if (url.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
            {
                c.AddFile(EffectKind.Read, new ShellWord(url[7..]), inv.Cwd);
            }
            else if (remoteName)
            {
                var slash = url.LastIndexOf('/');
                var name = slash < 0 || slash == url.Length - 1 ? "index.html" : url[(slash + 1)..];
                var query = name.IndexOfAny(['?', '#']);
                c.AddFile(EffectKind.Write, new ShellWord(query < 0 ? name : name[..query]), args.Value("output-dir")?.Text ?? inv.Cwd);
            }
        }
    }

    /// <summary>Egress of the file <paramref name="value"/> names (<c>-</c>: standard input) to every URL.</summary>
    private static void Upload(ShellEffectCollector c, ShellInvocation inv, ShellWord value, List<string> urls, bool remoteName)
    {
        foreach (var url in urls)
        {
            var destination = CanonicalUrl(url);
            if (value.Text is "-" or "/dev/stdin")
            {
                c.AddEgressOfInput(inv, destination);
                continue;
            }

            var resource = c.File(value, inv.Cwd);
            c.Add(EffectKind.Egress, resource.Uri, destination, null, resource.AsResource);
            if (value.Text.EndsWith('/'))
            {
                var under = ShellPaths.Under(resource);
                c.Add(EffectKind.Egress, under.Uri, destination, null, under.AsResource);
            }
        }

        if (urls.Count == 0)
        {
            c.AddFile(EffectKind.Read, value, inv.Cwd);
        }
    }

    private static void Wget(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(WgetSpec);
        var document = args.Value('O', "output-document");
        foreach (var option in args.Options)
        {
            var value = option.Value;
            if (value is null)
            {
                continue;
            }

            if (option.Is("post-file") || option.Is("body-file"))
            {
                foreach (var operand in args.Operands)
                {
                    var resource = c.File(value, inv.Cwd);
                    c.Add(EffectKind.Egress, resource.Uri, CanonicalUrl(operand.Text), null, resource.AsResource);
                }
            }
            else if ((option.Is('o') || option.Is("output-file") || option.Is('a') || option.Is("append-output")) && value.Text != "-")
            {
                c.AddFile(EffectKind.Write, value, inv.Cwd);
            }
            else if (option.Is('i') || option.Is("input-file") || option.Is("load-cookies") || option.Is("config"))
            {
                c.AddFile(EffectKind.Read, value, inv.Cwd);
            }
            else if (option.Is("save-cookies"))
            {
                c.AddFile(EffectKind.Write, value, inv.Cwd);
            }
        }

        if (document is not null)
        {
            if (document.Text != "-")
            {
                c.AddFile(EffectKind.Write, document, inv.Cwd);
            }

            return;
        }

        var prefix = args.Value('P', "directory-prefix");
        var directory = prefix is null ? inv.Cwd : prefix.Text.StartsWith('/') ? prefix.Text : inv.Cwd is null ? null : inv.Cwd + "/" + prefix.Text;
        var recursive = args.Has('r') || args.Has("recursive") || args.Has('m') || args.Has("mirror");
        foreach (var operand in args.Operands)
        {
            if (recursive)
            {
                c.Add(EffectKind.Write, ShellPaths.Resolve(c.Host, "**", pattern: true, opaque: false, directory));
                continue;
            }

            var url = operand.Text;
            var slash = url.LastIndexOf('/');
            var name = slash < 0 || slash == url.Length - 1 || url.AsSpan(0, slash).EndsWith("/") ? "index.html" : url[(slash + 1)..];
            var query = name.IndexOfAny(['?', '#']);
            c.AddFile(EffectKind.Write, new ShellWord(query < 0 ? name : name[..query]), directory);
        }
    }

    /// <summary><c>nc [-l] [-p PORT] HOST PORT</c>: what it reads on standard input leaves for the peer; <c>-e CMD</c> runs a command.</summary>
    private static void Nc(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(NcSpec);
        var listen = args.Has('l') || args.Has("listen");
        foreach (var option in args.Options)
        {
            if ((option.Is('e') || option.Is('c') || option.Is("exec") || option.Is("sh-exec")) && option.Value is not null)
            {
                c.AnalyzeSource(option.Value.Text, inv.Cwd);
            }
        }

        string destination;
        if (listen)
        {
            var port = args.Value('p')?.Text ?? (args.Operands.Count > 0 ? args.Operands[^1].Text : "0");
            destination = "listen://" + c.NamedHost + ":" + port + "/";
        }
        else if (args.Operands.Count >= 2)
        {
            destination = "tcp://" + args.Operands[0].Text.ToLowerInvariant() + ":" + args.Operands[1].Text + "/";
        }
        else if (args.Operands.Count == 1)
        {
            destination = "tcp://" + args.Operands[0].Text.ToLowerInvariant() + "/";
        }
        else
        {
            return;
        }

        c.AddEgressOfInput(inv, destination);
    }

    /// <summary><c>socat ADDRESS ADDRESS</c>: a file or command on one side, a connection or listener on the other.</summary>
    private static void Socat(ShellEffectCollector c, ShellInvocation inv)
    {
        var operands = inv.Parse(SocatSpec).Operands;
        if (operands.Count < 2)
        {
            return;
        }

        var destination = Network(c, operands[1].Text) ?? Network(c, operands[0].Text);
        var local = Network(c, operands[1].Text) is null ? operands[1] : operands[0];
        if (destination is null)
        {
            return;
        }

        var text = local.Text;
        var colon = text.IndexOf(':');
        var kind = colon < 0 ? text.ToUpperInvariant() : text[..colon].ToUpperInvariant();
        var rest = colon < 0 ? string.Empty : text[(colon + 1)..];
        var comma = rest.IndexOf(',');
        rest = comma < 0 ? rest : rest[..comma];
        switch (kind)
        {
            case "-" or "STDIO" or "STDIN":
                c.AddEgressOfInput(inv, destination);
                break;
            case "FILE" or "OPEN" or "GOPEN" or "CREATE" or "CREAT" when rest.Length > 0:
                var resource = c.File(local with { Text = rest }, inv.Cwd);
                c.Add(EffectKind.Egress, resource.Uri, destination, null, resource.AsResource);
                c.Add(EffectKind.Write, resource);
                break;
            case "EXEC" or "SYSTEM" when rest.Length > 0:
                c.AnalyzeSource(rest, inv.Cwd);
                break;
            default:
                if (text.StartsWith('/'))
                {
                    var file = c.File(local, inv.Cwd);
                    c.Add(EffectKind.Egress, file.Uri, destination, null, file.AsResource);
                    c.Add(EffectKind.Write, file);
                }

                break;
        }
    }

    private static string? Network(ShellEffectCollector c, string address)
    {
        var colon = address.IndexOf(':');
        if (colon < 0)
        {
            return null;
        }

        var kind = address[..colon].ToUpperInvariant();
        var rest = address[(colon + 1)..];
        var comma = rest.IndexOf(',');
        rest = comma < 0 ? rest : rest[..comma];
        if (kind.Contains("LISTEN", StringComparison.Ordinal))
        {
            return "listen://" + c.NamedHost + ":" + rest + "/";
        }

        return kind is "TCP" or "TCP4" or "TCP6" or "TCP-CONNECT" or "UDP" or "UDP4" or "UDP6" or "UDP-CONNECT" or "UDP-SENDTO" or "OPENSSL" or "SSL" or "OPENSSL-CONNECT" or "SCTP" or "SCTP-CONNECT"
            ? (kind.StartsWith("UDP", StringComparison.Ordinal) ? "udp://" : "tcp://") + rest.ToLowerInvariant() + "/"
            : null;
    }

    /// <summary>A server listening over a folder: egress of everything under it.</summary>
    public static void Serve(ShellEffectCollector c, ShellInvocation inv, string? directory, string port)
    {
        var folder = directory is null
            ? ShellPaths.Resolve(c.Host, "**", pattern: true, opaque: false, inv.Cwd)
            : ShellPaths.Under(c.File(new ShellWord(directory), inv.Cwd));
        c.Add(EffectKind.Egress, folder.Uri, "listen://" + c.NamedHost + ":" + port + "/", null, folder.AsResource);
    }

    /// <summary>busybox httpd [-f] [-p [ADDR:]PORT] [-h HOME]: serves HOME (the current directory by default).</summary>
    private static void BusyboxHttpd(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(HttpdSpec);
        var port = args.Value('p')?.Text ?? "80";
        var colon = port.LastIndexOf(':');
        Serve(c, inv, args.Value('h')?.Text, colon < 0 ? port : port[(colon + 1)..]);
    }

    private static void NodeHttpServer(ShellEffectCollector c, ShellInvocation inv)
    {
        using var args = inv.Parse(NodeServerSpec);
        Serve(c, inv, args.Operands.Count > 0 ? args.Operands[0].Text : null, args.Value('p', "port")?.Text ?? "8080");
    }
}
