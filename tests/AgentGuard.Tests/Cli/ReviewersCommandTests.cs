using AgentGuard.Admin;

namespace AgentGuard.Cli;

/// <summary><c>agentguard reviewers hash|new</c> as an operator runs them: what they print goes into the reviewers file, and the guard then knows the reviewer.</summary>
public sealed class ReviewersCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-reviewers-").FullName;

    [Fact]
    public async Task Hash_Token_PrintsTheSha256TheReviewersFileHolds()
    {
        const string Token = "alice-token-0123456789abcdef";

        var (code, stdout, _) = await PolicyCommandTests.RunAsync("reviewers", "hash", Token);

        Assert.Equal(0, code);
        var hash = stdout.Trim();
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Token))), hash);
        var errors = new List<string>();
        var file = Path.Combine(_folder, "reviewers.yaml");
        await File.WriteAllTextAsync(file, $"reviewers:\n  - name: alice\n    token_sha256: {hash}\n");
        Assert.Equal("alice", ReviewerDirectory.Load(file, errors).Authenticate(Token));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Hash_ShortToken_ExitsTwoSayingHowLong()
    {
        var (code, stdout, stderr) = await PolicyCommandTests.RunAsync("reviewers", "hash", "short");

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("use at least 16", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_PrintsATokenAndAnEntryThatAuthenticatesIt()
    {
        var (code, stdout, _) = await PolicyCommandTests.RunAsync("reviewers", "new", "bob");

        Assert.Equal(0, code);
        var lines = stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var token = lines[0][(lines[0].LastIndexOf(' ') + 1)..];
        var entry = string.Join('\n', lines.SkipWhile(l => !l.StartsWith("- name:", StringComparison.Ordinal)).Select((l, i) => (i == 0 ? "  " : "    ") + l));
        var file = Path.Combine(_folder, "reviewers.yaml");
        await File.WriteAllTextAsync(file, "reviewers:\n" + entry + "\n");
        var errors = new List<string>();

        Assert.Equal("bob", ReviewerDirectory.Load(file, errors).Authenticate(token));
        Assert.Empty(errors);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
