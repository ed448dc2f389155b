using AgentGuard.Cli;
using AgentGuard.Infrastructure;
using Xunit.Abstractions;

namespace AgentGuard.Proxy;

/// <summary>The guard refuses to start when someone other than its own user could write its policy or audit folders, and says who.</summary>
/// <remarks>Unix only: file modes and owners are what is checked.</remarks>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class GuardFolderCheckTests(ITestOutputHelper output) : IDisposable
{
    private const uint OtherUser = 54_321;

    private readonly string _root = Directory.CreateTempSubdirectory("folder-check-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Start_PolicyFolderWorldWritable_RefusesNamingFolderModeAndEveryUser()
    {
        var folder = PolicyFolder();
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);

        var error = await RefusedAsync([folder]);

        Assert.Contains($"AgentGuard:Policies '{folder}'", error, StringComparison.Ordinal);
        Assert.Contains("mode 0777", error, StringComparison.Ordinal);
        Assert.Contains("every user (it is world-writable)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PolicyFolderOwnedByAnotherUser_RefusesNamingTheOwner()
    {
        var folder = PolicyFolder();
        Chown(folder, OtherUser, null);

        var error = await RefusedAsync([folder]);

        Assert.Contains($"AgentGuard:Policies '{folder}'", error, StringComparison.Ordinal);
        Assert.Contains($"its owner, uid {OtherUser}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PolicyFileGroupWritableByAnotherGroup_RefusesNamingFileAndGroup()
    {
        var folder = PolicyFolder();
        var file = Path.Combine(folder, "policy.yaml");
        Chown(file, null, OtherUser);
        File.SetUnixFileMode(file, (UnixFileMode)0b110_110_100);

        var error = await RefusedAsync([folder]);

        Assert.Contains($"'{file}' in AgentGuard:Policies '{folder}'", error, StringComparison.Ordinal);
        Assert.Contains($"the members of group {OtherUser}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_FolderAbovePolicyFolderWorldWritable_RefusesNamingIt_StickyStarts()
    {
        var above = Directory.CreateDirectory(Path.Combine(_root, "shared")).FullName;
        var folder = PolicyFolder(above);
        File.SetUnixFileMode(above, (UnixFileMode)0b111_111_111);

        var error = await RefusedAsync([folder]);
        Assert.Contains($"'{above}', a folder above AgentGuard:Policies '{folder}'", error, StringComparison.Ordinal);

        // Like /tmp: others may add their own entries but cannot rename or remove the guard's.
        File.SetUnixFileMode(above, UnixFileMode.StickyBit | (UnixFileMode)0b111_111_111);
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, [folder]);
    }

    [Fact]
    public async Task Start_AuditFolderWritableByOthers_RefusesNamingIt()
    {
        var audit = Directory.CreateDirectory(Path.Combine(_root, "audit")).FullName;
        File.SetUnixFileMode(audit, (UnixFileMode)0b111_111_111);

        var error = await RefusedAsync([PolicyFolder()], new() { ["AgentGuard:Audit:Directory"] = audit });

        Assert.Contains($"AgentGuard:Audit:Directory '{audit}'", error, StringComparison.Ordinal);
        Assert.Contains("every user", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_OwnFoldersNotWritableByOthers_Starts()
    {
        var folder = PolicyFolder();
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        await using var upstream = await TestUpstream.StartRecordingAsync();

        await using var guard = await TestGuard.StartAsync(output, upstream.Address, [folder], new Dictionary<string, string?> { ["AgentGuard:Audit:Directory"] = Path.Combine(_root, "audit") });

        Assert.NotNull(guard.Policies.Current);
    }

    [Fact]
    public void Check_WorldWritableFolderOnReadOnlyMount_Passes()
    {
        // A Kubernetes ConfigMap volume: mode 0777 under a read-only mount.
        var folder = PolicyFolder();
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
        var mounts = ReadOnlyMounts.Parse($"""
            26 1 254:0 / / rw,relatime - ext4 /dev/vda rw
            812 26 0:91 / {folder.Replace(" ", "\\040", StringComparison.Ordinal)} ro,relatime - tmpfs tmpfs rw,size=1024k
            """);

        Assert.Empty(GuardFolderCheck.Check([folder], null, UnixAccounts.Current(), mounts));
        Assert.NotEmpty(GuardFolderCheck.Check([folder], null, UnixAccounts.Current(), ReadOnlyMounts.Parse("")));
    }

    [Fact]
    public async Task PolicyCheckCommand_WorldWritableFolder_StillChecks()
    {
        // Not the running guard: checking or testing a policy anywhere is fine.
        var folder = PolicyFolder();
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);

        var (code, stdout, _) = await PolicyCommandTests.RunAsync("policy", "check", folder);

        Assert.Equal(0, code);
        Assert.StartsWith("ok:", stdout, StringComparison.Ordinal);
    }

    private string PolicyFolder(string? under = null)
    {
        var folder = Directory.CreateDirectory(Path.Combine(under ?? _root, "rules-" + Path.GetRandomFileName())).FullName;
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(folder, "policy.yaml"), "rules:\n  - id: echo\n    when: { tool: echo }\n    decision: allow\n");
        File.SetUnixFileMode(Path.Combine(folder, "policy.yaml"), (UnixFileMode)0b110_100_100);
        return folder;
    }

    private async Task<string> RefusedAsync(string[] policies, Dictionary<string, string?>? settings = null)
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        var refused = await Assert.ThrowsAsync<GuardStartException>(() => TestGuard.StartAsync(output, upstream.Address, policies, settings));
        output.WriteLine(refused.Message);
        return string.Join('\n', refused.Errors);
    }

    private static void Chown(string path, uint? uid, uint? gid)
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test gives a folder to another user: run the tests as root, as the README's test command does");
        using var chown = System.Diagnostics.Process.Start("chown", [$"{uid?.ToString(System.Globalization.CultureInfo.InvariantCulture)}{(gid is null ? "" : ":" + gid.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))}", path]);
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }
}
