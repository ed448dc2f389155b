using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using AgentGuard.Audit;
using AgentGuard.Infrastructure;
using AgentGuard.Policy;
using Xunit.Abstractions;

namespace AgentGuard.Proxy;

/// <summary>
/// The running guard's policy folder under the faults an operator (or a Kubernetes kubelet) puts it
/// through: replaced, swapped by symlink, written slowly; and written by an agent through its tools.
/// </summary>
public sealed class PolicyFolderFaultTests(ITestOutputHelper output) : IDisposable
{
    // A neutral name: nothing in it matches the shipped policy's guard-config globs.
    private readonly string _root = Directory.CreateTempSubdirectory("faults-").FullName;
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Reload_FolderRemovedRecreatedAndCopied_LaterEditLoads()
    {
        var folder = NewFolder("rules-");
        var file = Path.Combine(folder, "policy.yaml");
        await File.WriteAllTextAsync(file, EchoPolicy("v1", "allow"));
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, [folder]);

        // rm -rf, mkdir, cp: the folder the guard started on is gone; a new one has its name.
        Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        var staged = Path.Combine(_root, "staged.yaml");
        await File.WriteAllTextAsync(staged, EchoPolicy("v2", "deny"));
        File.Copy(staged, file);
        await Poll.UntilAsync(() => RuleId(guard) == "v2", "the copied policy in the re-created folder to load");

        await File.WriteAllTextAsync(file, EchoPolicy("v3", "deny"));
        await Poll.UntilAsync(() => RuleId(guard) == "v3", "an edit in the re-created folder to load");
        Assert.Empty(await ReloadErrorsAsync(guard));
    }

    // The mount folder and a file in it (as deploy/kubernetes names it) reloaded before; ..data itself is a swapped link.
    public static TheoryData<string> ConfigMapPaths => new() { "folder", "file", "..data" };

    [Theory]
    [MemberData(nameof(ConfigMapPaths))]
    public async Task Reload_ConfigMapDataSwappedTwice_EachVersionLoads(string given)
    {
        // The kubelet's layout: FILE -> ..data/FILE, ..data -> ..<timestamp>, swapped by renaming a new ..data link over the old.
        var mount = NewFolder("mount-");
        PublishConfigMap(mount, EchoPolicy("v1", "allow"), generation: 1);
        var path = given switch
        {
            "folder" => mount,
            "file" => Path.Combine(mount, "policy.yaml"),
            _ => Path.Combine(mount, "..data"),
        };
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, [path]);
        Assert.Equal("v1", RuleId(guard));

        PublishConfigMap(mount, EchoPolicy("v2", "deny"), generation: 2);
        await Poll.UntilAsync(() => RuleId(guard) == "v2", "the first swapped ConfigMap version to load");

        PublishConfigMap(mount, EchoPolicy("v3", "deny"), generation: 3);
        await Poll.UntilAsync(() => RuleId(guard) == "v3", "the second swapped ConfigMap version to load");
        Assert.Empty(await ReloadErrorsAsync(guard));
    }

    [Fact]
    public async Task Reload_PolicyFolderIsSymlinkSwappedTwice_EachVersionLoads()
    {
        // policies -> release-1, then a new link renamed over it (ln -s release-2 tmp && mv -T tmp policies).
        var releases = NewFolder("releases-");
        var link = Path.Combine(_root, "policies-" + Path.GetRandomFileName());
        await File.WriteAllTextAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(releases, "1")).FullName, "policy.yaml"), EchoPolicy("v1", "allow"));
        Directory.CreateSymbolicLink(link, Path.Combine(releases, "1"));
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, [link]);

        for (var release = 2; release <= 3; release++)
        {
            var target = Directory.CreateDirectory(Path.Combine(releases, release.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
            await File.WriteAllTextAsync(Path.Combine(target, "policy.yaml"), EchoPolicy($"v{release}", "deny"));
            var next = link + ".next";
            Directory.CreateSymbolicLink(next, target);
            Rename(next, link);
            await Poll.UntilAsync(() => RuleId(guard) == $"v{release}", $"release {release} behind the swapped link to load");
        }

        Assert.Empty(await ReloadErrorsAsync(guard));
    }

    [Fact]
    public async Task Reload_FileWrittenInTwoPieces_HalfIsNeverInForce()
    {
        var folder = NewFolder("rules-");
        var file = Path.Combine(folder, "policy.yaml");
        await File.WriteAllTextAsync(file, EchoPolicy("v1", "deny"));
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, [folder]);
        var decisions = TestGuard.Collect(guard);
        var loaded = new List<string>();
        guard.Policies.Reloaded += result =>
        {
            lock (loaded)
            {
                loaded.Add(result.Policy is { } policy ? string.Join(',', policy.Rules.Select(r => r.Id)) : "rejected");
            }
        };

        // The full new version denies echo in its last rule; its first half is valid YAML without it.
        var full = """
            rules:
              - id: unrelated
                when: { tool: something_else }
                decision: deny
                finding: { category: test, severity: low }
              - id: v2
                when: { tool: echo }
                decision: deny
                finding: { category: test, severity: low }

            """;
        var cut = full.IndexOf("  - id: v2", StringComparison.Ordinal);
        using var calling = new CancellationTokenSource();
        var calls = CallEchoUntilAsync(guard, calling.Token);
        await using (var writer = new FileStream(file, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite))
        {
            await writer.WriteAsync(System.Text.Encoding.UTF8.GetBytes(full[..cut]));
            await writer.FlushAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(600)); // a slow writer (a copy over the network, an editor's chunked save)
            await writer.WriteAsync(System.Text.Encoding.UTF8.GetBytes(full[cut..]));
        }

        await Poll.UntilAsync(() => RuleId(guard) == "unrelated" && guard.Policies.Current.Rules.Length == 2, "the complete file to load");
        await calling.CancelAsync();
        var sent = await calls;

        Assert.True(sent > 0, "no call was made while the file was being written");
        lock (loaded)
        {
            Assert.DoesNotContain("unrelated", loaded);
        }

        lock (decisions)
        {
            Assert.All(decisions, d => Assert.Equal(DecisionKind.Deny, d.Decision.Kind));
        }

        Assert.Empty(upstream.Received);
    }

    [Fact]
    public async Task FilesystemTools_WritesMovesAndNewFilesInNeutralPolicyFolder_DeniedAsGuardTampering()
    {
        var folder = NewFolder("rules-");
        foreach (var shipped in Directory.GetFiles(TestGuard.ShippedPolicies))
        {
            File.Copy(shipped, Path.Combine(folder, Path.GetFileName(shipped)));
        }

        var staged = Path.Combine(_root, "zz-allow-all.yaml");
        await File.WriteAllTextAsync(staged, "default: allow\n");
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, [folder]);
        var decisions = TestGuard.Collect(guard);

        (string Tool, object Arguments)[] tampering =
        [
            ("write_file", new { path = Path.Combine(folder, "zz-allow-all.yaml"), content = "default: allow\n" }),
            ("write_file", new { path = Path.Combine(folder, "peer-preservation.tests.yaml"), content = "cases: []\n" }),
            ("edit_file", new { path = Path.Combine(folder, "peer-preservation.yaml"), edits = Array.Empty<object>() }),
            ("move_file", new { source = staged, destination = Path.Combine(folder, "zz-allow-all.yaml") }),
            ("move_file", new { source = folder, destination = Path.Combine(_root, "elsewhere") }),
            ("create_directory", new { path = Path.Combine(folder, "more") }),
            ("delete", new { path = Path.Combine(folder, "peer-preservation.yaml") }),
            ("delete", new { path = folder }),
        ];
        var id = 0;
        foreach (var (tool, arguments) in tampering)
        {
            await CallAsync(guard, ++id, tool, arguments);
        }

        await CallAsync(guard, ++id, "write_file", new { path = Path.Combine(_root, "notes.txt"), content = "an ordinary write" });

        Assert.Equal(tampering.Length + 1, decisions.Count);
        for (var i = 0; i < tampering.Length; i++)
        {
            Assert.True(
                decisions[i].Decision is { Kind: DecisionKind.Deny, Finding.Category: "guard-tampering" },
                $"{tampering[i].Tool} {JsonSerializer.Serialize(tampering[i].Arguments)} was {decisions[i].Decision.Kind} ({decisions[i].Decision.RuleId})");
        }

        Assert.Equal(DecisionKind.Allow, decisions[^1].Decision.Kind);
        Assert.Single(upstream.Received);
    }

    private string NewFolder(string prefix) => Directory.CreateDirectory(Path.Combine(_root, prefix + Path.GetRandomFileName())).FullName;

    private static string? RuleId(GuardHost guard) => guard.Policies.Current.Rules is [var first, ..] ? first.Id : null;

    private async Task<List<string>> ReloadErrorsAsync(GuardHost guard)
    {
        using var ready = await _http.GetFromJsonAsync<JsonDocument>(new Uri(guard.AdminAddress, "/readyz"));
        return [.. ready!.RootElement.GetProperty("policyReloadErrors").EnumerateArray().Select(e => e.GetString()!)];
    }

    private async Task CallAsync(GuardHost guard, int id, string tool, object arguments)
    {
        var body = JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method = "tools/call", @params = new { name = tool, arguments } });
        using var response = await Mcp.PostAsync(_http, new Uri(guard.DataAddress, "/mcp"), body);
    }

    private async Task<int> CallEchoUntilAsync(GuardHost guard, CancellationToken cancellationToken)
    {
        var sent = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            await CallAsync(guard, ++sent, "echo", new { message = "hi" });
            await Task.Delay(10, CancellationToken.None);
        }

        return sent;
    }

    private static void PublishConfigMap(string mount, string text, int generation)
    {
        var previous = Directory.GetDirectories(mount, "..2026_*");
        var timestamped = $"..2026_12_05_0{generation}_00_00.{Path.GetRandomFileName()}";
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(mount, timestamped)).FullName, "policy.yaml"), text);
        var dataTmp = Path.Combine(mount, "..data_tmp");
        File.CreateSymbolicLink(dataTmp, timestamped);
        Rename(dataTmp, Path.Combine(mount, "..data"));
        var visible = Path.Combine(mount, "policy.yaml");
        if (!Path.Exists(visible))
        {
            File.CreateSymbolicLink(visible, "..data/policy.yaml");
        }

        foreach (var old in previous)
        {
            Directory.Delete(old, recursive: true);
        }
    }

    // rename(2): atomically replaces a symlink with another, as the kubelet and `mv -T` do.
    private static void Rename(string from, string to)
    {
        if (NativeRename(from, to) != 0)
        {
            throw new IOException($"rename {from} -> {to} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int NativeRename([MarshalAs(UnmanagedType.LPUTF8Str)] string from, [MarshalAs(UnmanagedType.LPUTF8Str)] string to);

    private static string EchoPolicy(string id, string decision) => $$"""
        rules:
          - id: {{id}}
            when: { tool: echo }
            decision: {{decision}}
            finding: { category: test, severity: low }
        """;
}
