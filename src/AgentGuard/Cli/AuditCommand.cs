using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using AgentGuard.Audit;
using AgentGuard.Policy;

namespace AgentGuard.Cli;

/// <summary><c>agentguard audit keygen|verify|query|tail</c>: for security reviewers.</summary>
internal static class AuditCommand
{
    private static readonly TimeSpan TailPollInterval = TimeSpan.FromMilliseconds(250);

    public static Command Create()
    {
        var command = new Command("audit", "Verify, query and follow the audit log; make checkpoint signing keys.");
        command.Subcommands.Add(CreateKeygen());
        command.Subcommands.Add(CreateVerify());
        command.Subcommands.Add(CreateQuery());
        command.Subcommands.Add(CreateTail());
        return command;
    }

    private static Command CreateKeygen()
    {
        var output = new Option<string>("--out") { Description = "Folder to write audit-signing.pem (private) and audit-signing.pub.pem (public) in.", DefaultValueFactory = _ => "." };
        var keygen = new Command("keygen", "Write an ECDSA P-256 key pair for signing audit checkpoints.") { output };
        keygen.SetAction(parse =>
        {
            var folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
            var privatePath = Path.Combine(folder, "audit-signing.pem");
            var publicPath = Path.Combine(folder, "audit-signing.pub.pem");
            var (privatePem, publicPem) = AuditSigner.Generate();
            try
            {
                // Created new, and readable only by its owner from the first byte.
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using var writer = new StreamWriter(privatePath, System.Text.Encoding.ASCII, options);
                writer.Write(privatePem);
            }
            catch (IOException) when (File.Exists(privatePath))
            {
                Console.Error.WriteLine($"{privatePath} exists; not overwriting a signing key.");
                return 1;
            }

            File.WriteAllText(publicPath, publicPem);
            Console.WriteLine($"private key: {privatePath} (give to the guard: --audit-signing-key)");
            Console.WriteLine($"public key:  {publicPath} (give to reviewers: audit verify --public-key)");
            return 0;
        });
        return keygen;
    }

    private static Command CreateVerify()
    {
        var directories = new Argument<string[]>("dir") { Description = "The audit folder; several for several replicas' chains (one line each; fails if any fails).", Arity = ArgumentArity.OneOrMore };
        var publicKey = new Option<string?>("--public-key") { Description = "PEM public key that checkpoints must be signed with." };
        var verify = new Command("verify", "Check the whole hash chain and every checkpoint of each folder; name the first bad record.") { directories, publicKey };
        verify.SetAction(parse =>
        {
            AuditSigner? key = null;
            if (parse.GetValue(publicKey) is { } keyFile)
            {
                try
                {
                    key = AuditSigner.FromPem(File.ReadAllText(keyFile));
                }
                catch (Exception ex) when (ex is IOException or CryptographicException or ArgumentException)
                {
                    Console.Error.WriteLine($"--public-key {keyFile}: {ex.Message}");
                    return 2;
                }
            }

            using (key)
            {
                var folders = parse.GetValue(directories)!;
                var failed = 0;
                foreach (var folder in folders)
                {
                    // One chain: the output it always had; several: each line names its chain.
                    var prefix = folders.Length > 1 ? folder + ": " : string.Empty;
                    if (!VerifyOne(folder, key, prefix))
                    {
                        failed++;
                    }
                }

                if (folders.Length > 1)
                {
                    Console.WriteLine(failed == 0 ? $"all {folders.Length} chains intact" : $"{failed} of {folders.Length} chains FAILED");
                }

                return failed == 0 ? 0 : 1;
            }
        });
        return verify;
    }

    /// <summary>Verifies one chain and prints its result (lines start with <paramref name="prefix"/>); false when it fails.</summary>
    private static bool VerifyOne(string folder, AuditSigner? key, string prefix)
    {
        var result = AuditVerifier.Verify(folder, key);
        if (!result.IsValid)
        {
            Console.WriteLine($"{prefix}FAIL {result.Error}");
            Console.WriteLine($"{prefix}{result.Records} records verified before it.");
            return false;
        }

        var checkpoints = key is null
            ? $"{result.Checkpoints} checkpoints (signatures not checked: give --public-key)"
            : $"{result.CheckpointsVerified} checkpoints verified with key {key.KeyId}";
        Console.WriteLine($"{prefix}ok: {result.Records} records, chain intact; {checkpoints}");
        foreach (var resume in result.Resumes)
        {
            // A resume is the guard going on after a fault it detected; reported so a reviewer sees any loss, not a failure.
            var lost = resume.LostFrom is { } from ? $"records {from} to {resume.LostTo} lost" : "nothing lost";
            Console.WriteLine($"{prefix}resumed at {resume.Where}: chains to seq {resume.ChainsTo}; {lost} ({resume.Reason})");
        }

        return true;
    }

    private static Command CreateQuery()
    {
        var directories = new Argument<string[]>("dir") { Description = "The audit folder; several for several replicas' chains, merged in time order.", Arity = ArgumentArity.OneOrMore };
        var filters = new QueryOptions();
        var limit = new Option<int>("--limit") { Description = "At most this many records.", DefaultValueFactory = _ => 1000 };
        var query = new Command("query", "Print decisions matching the filters, as a table or JSON Lines; from several folders, merged in time order.") { directories, limit };
        filters.AddTo(query);
        query.SetAction(parse =>
        {
            var filter = filters.Read(parse, out var error);
            if (filter is null)
            {
                Console.Error.WriteLine(error);
                return 2;
            }

            var folders = parse.GetValue(directories)!;
            if (folders.FirstOrDefault(folder => !Directory.Exists(folder)) is { } missing)
            {
                Console.Error.WriteLine($"{missing}: no such audit folder");
                return 2;
            }

            var take = parse.GetValue(limit);
            List<AuditEntry> entries;
            List<string>? sequences = null;
            if (folders.Length == 1)
            {
                entries = AuditReader.Query(folders[0], filter, take: take);
            }
            else
            {
                // Sequence numbers are per chain: the table names the chain (its folder) with each.
                var merged = Merge(folders, filter, take);
                entries = [.. merged.Select(pair => pair.Entry)];
                sequences = [.. merged.Select(pair => $"{ChainName(folders[pair.Chain])}#{pair.Entry.Sequence}")];
            }

            Print(entries, parse.GetValue(filters.Json), header: true, sequences);
            if (!parse.GetValue(filters.Json))
            {
                Console.WriteLine($"{entries.Count} record(s)");
            }

            return 0;
        });
        return query;
    }

    /// <summary>
    /// The first <paramref name="take"/> matching records of several chains in time order (ties in the
    /// order the folders were given, then chain order): each chain is in time order already, so the first
    /// <paramref name="take"/> of each are enough.
    /// </summary>
    private static List<(AuditEntry Entry, int Chain)> Merge(string[] folders, AuditQuery filter, int take)
        => [.. folders
            .SelectMany((folder, chain) => AuditReader.Query(folder, filter, take: take).Select(entry => (Entry: entry, Chain: chain)))
            .OrderBy(pair => pair.Entry.Time)
            .ThenBy(pair => pair.Chain)
            .ThenBy(pair => pair.Entry.Sequence)
            .Take(take)];

    private static string ChainName(string folder) => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));

    private static Command CreateTail()
    {
        var directory = new Argument<string>("dir") { Description = "The audit folder." };
        var filters = new QueryOptions();
        var tail = new Command("tail", "Follow new records as they are written (Ctrl-C to stop).") { directory };
        filters.AddTo(tail);
        tail.SetAction(async (parse, cancellationToken) =>
        {
            var filter = filters.Read(parse, out var error);
            if (filter is null)
            {
                Console.Error.WriteLine(error);
                return 2;
            }

            var json = parse.GetValue(filters.Json);
            var folder = parse.GetValue(directory)!;
            long seen = 0;
            foreach (var entry in AuditReader.ReadAll(folder))
            {
                seen = entry.Sequence;
            }

            if (!json)
            {
                Print([], json, header: true);
            }

            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    var fresh = new List<AuditEntry>();
                    foreach (var entry in AuditReader.ReadAll(folder))
                    {
                        if (entry.Sequence > seen)
                        {
                            seen = entry.Sequence;
                            if (filter.Matches(entry))
                            {
                                fresh.Add(entry);
                            }
                        }
                    }

                    Print(fresh, json, header: false);
                    await Task.Delay(TailPollInterval, cancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        });
        return tail;
    }

    private static void Print(IReadOnlyList<AuditEntry> entries, bool json, bool header, IReadOnlyList<string>? sequences = null)
    {
        if (json)
        {
            foreach (var entry in entries)
            {
                Console.WriteLine(entry.Json);
            }

            return;
        }

        var width = Math.Max(8, sequences is null || sequences.Count == 0 ? 0 : sequences.Max(text => text.Length));
        var format = "{0,-" + width.ToString(CultureInfo.InvariantCulture) + "} {1,-24} {2,-16} {3,-16} {4,-24} {5,-6} {6,-26} {7,-9} {8}";
        if (header)
        {
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, format, sequences is null ? "seq" : "chain#seq", "time", "ref", "agent", "tool", "dec", "finding", "severity", "rule"));
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            Console.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                format,
                sequences is null ? e.Sequence.ToString(CultureInfo.InvariantCulture) : sequences[i],
                e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
                e.Reference,
                e.Agent,
                e.Tool ?? e.Method,
                e.Decision ?? e.Type,
                e.Finding ?? "",
                e.Severity ?? "",
                e.Rule ?? (e.Status is { } status ? $"upstream {status} {e.LatencyMilliseconds}ms" : "")));
        }
    }

    /// <summary>The filters <c>query</c> and <c>tail</c> share.</summary>
    private sealed class QueryOptions
    {
        public readonly Option<string?> Since = new("--since") { Description = "Records at or after this time (ISO 8601, e.g. 2026-11-23T10:00Z)." };
        public readonly Option<string?> Until = new("--until") { Description = "Records before this time (ISO 8601)." };
        public readonly Option<string?> Agent = new("--agent") { Description = "Agent id." };
        public readonly Option<string?> Decision = new("--decision") { Description = "allow, flag or deny." };
        public readonly Option<string?> Finding = new("--finding") { Description = "Finding category, e.g. shutdown-tampering." };
        public readonly Option<string?> Severity = new("--severity") { Description = "Least severity: info, low, medium, high, critical." };
        public readonly Option<string?> Tool = new("--tool") { Description = "Tool name." };
        public readonly Option<string?> Type = new("--type") { Description = "Record type: decision, oversight, obligation, lineage, upstream, checkpoint, resume or all. Default: decisions and oversight findings." };
        public readonly Option<bool> Json = new("--json") { Description = "Print the records as JSON Lines." };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Since, Until, Agent, Decision, Finding, Severity, Tool, Type, Json })
            {
                command.Options.Add(option);
            }
        }

        public AuditQuery? Read(ParseResult parse, out string? error)
        {
            error = null;
            DateTimeOffset? since = null, until = null;
            if (parse.GetValue(Since) is { } s && !TryTime(s, out since, "--since", out error))
            {
                return null;
            }

            if (parse.GetValue(Until) is { } u && !TryTime(u, out until, "--until", out error))
            {
                return null;
            }

            Severity? severity = null;
            if (parse.GetValue(Severity) is { } text)
            {
                if (!Enum.TryParse<Severity>(text, ignoreCase: true, out var parsed) || int.TryParse(text, out _))
                {
                    error = $"--severity '{text}' is unknown; use info, low, medium, high or critical";
                    return null;
                }

                severity = parsed;
            }

            return new AuditQuery
            {
                Since = since,
                Until = until,
                Agent = parse.GetValue(Agent),
                Decision = parse.GetValue(Decision),
                Finding = parse.GetValue(Finding),
                Severity = severity,
                Tool = parse.GetValue(Tool),
                Type = parse.GetValue(Type)?.ToLowerInvariant(),
            };
        }

        private static bool TryTime(string text, out DateTimeOffset? value, string option, out string? error)
        {
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                value = parsed;
                error = null;
                return true;
            }

            value = null;
            error = $"{option} '{text}' is not a time; use ISO 8601, e.g. 2026-11-23T10:00:00Z";
            return false;
        }
    }
}
