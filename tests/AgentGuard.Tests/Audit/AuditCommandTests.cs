using System.Text.Json;
using AgentGuard.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using static AgentGuard.Cli.PolicyCommandTests;

namespace AgentGuard.Audit;

/// <summary><c>agentguard audit keygen|verify|query</c> as a reviewer runs them (a real process) on a log the real guard wrote.</summary>
public sealed class AuditCommandTests(AuditCommandTests.GuardLog written) : IClassFixture<AuditCommandTests.GuardLog>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-audit-cli-").FullName;

    private string AuditDirectory => written.AuditDirectory;

    private string PublicKey => written.PublicKey;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A copy of the guard's log that a test may edit.</summary>
    private string CopyLog()
    {
        var copy = Path.Combine(_folder, "audit");
        Directory.CreateDirectory(copy);
        foreach (var segment in AuditChain.Segments(AuditDirectory))
        {
            File.Copy(segment, Path.Combine(copy, Path.GetFileName(segment)));
        }

        return copy;
    }

    private List<string> SegmentLines() => [.. File.ReadAllLines(Assert.Single(AuditChain.Segments(AuditDirectory)))];

    [Fact]
    public async Task Verify_IntactLog_ExitsZeroWithCounts()
    {
        using var key = AuditSigner.FromPem(await File.ReadAllTextAsync(PublicKey));

        var (code, stdout, stderr) = await RunAsync("audit", "verify", AuditDirectory, "--public-key", PublicKey);

        // 4 allowed calls (decision and upstream answer), 4 denials, and the final checkpoint.
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal($"ok: 13 records, chain intact; 1 checkpoints verified with key {key.KeyId}", stdout.Trim());
    }

    [Fact]
    public async Task Verify_OneByteEditedInGuardSegment_ExitsOneNamingThatRecord()
    {
        var directory = CopyLog();
        var segment = Assert.Single(AuditChain.Segments(directory));
        var lines = SegmentLines();

        // The second denial (seq 4 or later): "gemini-agent-1" becomes "gemini-agent-7".
        var target = lines.Select((text, index) => (Text: text, Number: index + 1)).Where(l => l.Text.Contains("\"decision\":\"deny\"", StringComparison.Ordinal)).ElementAt(1);
        var bytes = await File.ReadAllBytesAsync(segment);
        var offset = lines.Take(target.Number - 1).Sum(l => l.Length + 1) + target.Text.IndexOf("gemini-agent-1", StringComparison.Ordinal) + 13;
        Assert.Equal((byte)'1', bytes[offset]);
        bytes[offset] = (byte)'7';
        await File.WriteAllBytesAsync(segment, bytes);
        var seq = JsonDocument.Parse(target.Text).RootElement.GetProperty("seq").GetInt64();

        var (code, stdout, _) = await RunAsync("audit", "verify", directory, "--public-key", PublicKey);

        Assert.Equal(1, code);
        Assert.StartsWith($"FAIL audit-000001.jsonl line {target.Number} (seq {seq}) was changed: its hash does not match the prev recorded by audit-000001.jsonl line {target.Number + 1} (seq {seq + 1})", stdout, StringComparison.Ordinal);
        Assert.Contains($"{seq - 1} records verified before it.", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_OtherPublicKey_ExitsOne()
    {
        var other = Path.Combine(_folder, "other.pub.pem");
        await File.WriteAllTextAsync(other, AuditSigner.Generate().PublicPem);

        var (code, stdout, _) = await RunAsync("audit", "verify", AuditDirectory, "--public-key", other);

        Assert.Equal(1, code);
        Assert.Contains("checkpoint signed with key", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_PublicKeyFileWithoutKey_ExitsTwo()
    {
        var bad = Path.Combine(_folder, "bad.pem");
        await File.WriteAllTextAsync(bad, "not a key");

        var (code, _, stderr) = await RunAsync("audit", "verify", AuditDirectory, "--public-key", bad);

        Assert.Equal(2, code);
        Assert.StartsWith($"--public-key {bad}: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_DecisionDenyJson_PrintsExactlyTheDeniedRecords()
    {
        var shown = written.ShownDenials;
        var denied = SegmentLines().Where(l => l.Contains("\"type\":\"decision\"", StringComparison.Ordinal) && l.Contains("\"decision\":\"deny\"", StringComparison.Ordinal)).ToList();

        var (code, stdout, stderr) = await RunAsync("audit", "query", AuditDirectory, "--decision", "deny", "--json");

        Assert.True(code == 0, stderr);
        var printed = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal(4, denied.Count);
        Assert.Equal(denied, printed);
        Assert.Equal(shown.Order(), printed.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("ref").GetString()!).Order());
    }

    [Fact]
    public async Task Query_Table_PrintsHeaderRowsAndCount()
    {
        var (code, stdout, _) = await RunAsync("audit", "query", AuditDirectory, "--severity", "critical", "--tool", "modify_var");

        Assert.Equal(0, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("seq ", lines[0], StringComparison.Ordinal);
        Assert.Equal(4, lines.Count(l => l.Contains("shutdown-tampering", StringComparison.Ordinal)));
        Assert.Equal("4 record(s)", lines[^1].Trim());
    }

    [Fact]
    public async Task Query_UnknownSeverity_ExitsTwo()
    {
        var (code, _, stderr) = await RunAsync("audit", "query", AuditDirectory, "--severity", "extreme");

        Assert.Equal(2, code);
        Assert.Contains("--severity 'extreme' is unknown; use info, low, medium, high or critical", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keygen_WritesUsablePair_RefusesToOverwrite()
    {
        var keys = Path.Combine(_folder, "keys");
        var privateKey = Path.Combine(keys, "audit-signing.pem");
        var publicKey = Path.Combine(keys, "audit-signing.pub.pem");
        var directory = Path.Combine(_folder, "audit");

        var (code, stdout, stderr) = await RunAsync("audit", "keygen", "--out", keys);

        Assert.True(code == 0, stderr);
        Assert.Contains(privateKey, stdout, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(privateKey));
        }

        // Usable: the guard's log signs checkpoints with the private key, and the public key verifies them.
        await using (var log = AuditLog.Open(new AuditOptions { Directory = directory, SigningKeyFile = privateKey }, NullLogger.Instance, TimeProvider.System))
        {
            await log.AppendAsync([new DecisionRecord(TimeProvider.System.GetUtcNow(), new ToolCall(new Agent("a", "evaluator"), null, "mcp", "ping", null, default), Policy.Decision.InspectionFailure("test"), "r", "v1")], CancellationToken.None);
        }

        using (var key = AuditSigner.FromPem(await File.ReadAllTextAsync(publicKey)))
        {
            var verification = AuditVerifier.Verify(directory, key);
            Assert.True(verification.IsValid, verification.Error);
            Assert.Equal(1, verification.CheckpointsVerified);
        }

        var privatePem = await File.ReadAllTextAsync(privateKey);
        var publicPem = await File.ReadAllTextAsync(publicKey);
        var again = await RunAsync("audit", "keygen", "--out", keys);

        Assert.Equal(1, again.Code);
        Assert.Contains($"{privateKey} exists; not overwriting a signing key.", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(privatePem, await File.ReadAllTextAsync(privateKey));
        Assert.Equal(publicPem, await File.ReadAllTextAsync(publicKey));
    }

    /// <summary>One run of the real guard, signing with a fresh key, for 8 calls (even allowed, odd denied); shared by the tests, which only read it.</summary>
    public sealed class GuardLog : IAsyncLifetime
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-audit-log-").FullName;

        public string AuditDirectory => Path.Combine(_folder, "audit");

        public string PublicKey => Path.Combine(_folder, "audit-signing.pub.pem");

        /// <summary>The refs the denials showed the agent.</summary>
        public List<string> ShownDenials { get; } = [];

        public async Task InitializeAsync()
        {
            var (privatePem, publicPem) = AuditSigner.Generate();
            var privateKey = Path.Combine(_folder, "audit-signing.pem");
            await File.WriteAllTextAsync(privateKey, privatePem);
            await File.WriteAllTextAsync(PublicKey, publicPem);

            await using var upstream = await TestUpstream.StartRecordingAsync();
            await using var guard = await TestGuard.StartAsync(new NoOutput(), upstream.Address, settings: new Dictionary<string, string?>
            {
                ["AgentGuard:Audit:Directory"] = AuditDirectory,
                ["AgentGuard:Audit:SigningKeyFile"] = privateKey,
            });
            using var http = new HttpClient();
            var endpoint = new Uri(guard.DataAddress, "/mcp");
            for (var id = 0; id < 8; id++)
            {
                using var response = await Mcp.PostAsync(http, endpoint, id % 2 == 1 ? AuditEndToEndTests.Denied(id) : AuditEndToEndTests.Allowed(id));
                var text = Assert.Single(await Mcp.ReadMessagesAsync(response)).GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString()!;
                if (AuditEndToEndTests.DenialReference().Match(text) is { Success: true } match)
                {
                    ShownDenials.Add(match.Groups[1].Value);
                }
            }
        }

        public Task DisposeAsync()
        {
            Directory.Delete(_folder, recursive: true);
            return Task.CompletedTask;
        }

        private sealed class NoOutput : ITestOutputHelper
        {
            public void WriteLine(string message)
            {
            }

            public void WriteLine(string format, params object[] args)
            {
            }
        }
    }
}
