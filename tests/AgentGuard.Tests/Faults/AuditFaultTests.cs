using System.Net;
using AgentGuard.Audit;
using AgentGuard.Demo;
using AgentGuard.Infrastructure;
using Xunit.Abstractions;

namespace AgentGuard.Faults;

/// <summary>
/// The real guard process, with the study's MCP tool server behind it and concurrent agents in
/// front, while its audit log is broken under it: kill -9, the folder removed, the files made
/// immutable, the disk filled. Each ends with every call the tool server ran on record as allowed,
/// no allow record for a call that did not run, and, once the fault is gone, calls allowed again
/// and a chain that verifies with its resume record.
/// </summary>
public sealed class AuditFaultTests(ITestOutputHelper output) : IDisposable
{
    private readonly HttpClient _http = new();
    private readonly List<string> _folders = [];

    public void Dispose()
    {
        _http.Dispose();
        foreach (var folder in _folders)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [Fact]
    public async Task KillDashNine_UnderConcurrentLoad_ChainVerifiesAndEveryCallThatRanIsOnRecord()
    {
        await using var tools = await StudyToolServer.StartAsync();
        var audit = Path.Combine(Folder(), "audit");
        List<CallOutcome> outcomes;
        await using (var guard = await GuardProcess.StartAsync(output, tools.BaseAddress, audit))
        await using (var load = CallLoad.Start(guard.Data, workers: 16))
        {
            await load.MoreAsync(CallResult.Allowed, 60, "before the kill");
            guard.Kill();
            await load.StopAsync();
            outcomes = load.Outcomes;
        }

        Assert.Contains(outcomes, o => o.Result == CallResult.Failed);

        // The restarted guard drops a torn last line (never acknowledged) and goes on with the chain.
        await using (var guard = await GuardProcess.StartAsync(output, tools.BaseAddress, audit))
        await using (var load = CallLoad.Start(guard.Data, workers: 2))
        {
            await load.MoreAsync(CallResult.Allowed, 5, "after the restart");
            await load.StopAsync();
            outcomes.AddRange(load.Outcomes);
            await guard.StopAsync();
        }

        await AssertVerifiesAsync(audit, resumes: false);
        CallLedger.AssertAccountedFor(tools, outcomes, audit);
    }

    [Fact]
    public async Task FolderRemoved_WhileCallsFlow_DeniedAndNotReadyUntilItIsBackThenResumes()
    {
        await using var tools = await StudyToolServer.StartAsync();
        var audit = Path.Combine(Folder(), "audit");

        // Moved away rather than deleted: the same for the guard (its path is gone), and the test can
        // still read what the removed folder held, to account for the calls made before.
        var removed = audit + ".removed";
        List<CallOutcome> outcomes;
        await using (var guard = await GuardProcess.StartAsync(output, tools.BaseAddress, audit))
        await using (var load = CallLoad.Start(guard.Data))
        {
            await load.MoreAsync(CallResult.Allowed, 20, "before the folder is removed");
            Directory.Move(audit, removed);

            await load.MoreAsync(CallResult.Denied, 10, "while the folder is gone");
            var (status, body) = await ReadyAsync(guard);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Contains("was removed", body, StringComparison.Ordinal);
            Assert.False(Directory.Exists(audit), "the guard recreated the removed folder itself");

            Directory.CreateDirectory(audit);
            await Poll.UntilAsync(async () => (await ReadyAsync(guard)).Status == HttpStatusCode.OK, "ready once the folder is back");
            await load.MoreAsync(CallResult.Allowed, 20, "once the folder is back");
            await load.StopAsync();
            outcomes = load.Outcomes;
            await guard.StopAsync();
        }

        var verified = await AssertVerifiesAsync(audit);
        Assert.Contains("lost", verified, StringComparison.Ordinal);
        await AssertVerifiesAsync(removed, resumes: false);

        // The resume record names as lost exactly what the removed folder holds, and nothing it does not.
        var resume = Assert.Single(AuditVerifier.Verify(audit, null).Resumes);
        Assert.Equal(1, resume.LostFrom);
        Assert.Equal(AuditReader.ReadAll(removed).Last().Sequence, resume.LostTo);
        CallLedger.AssertAccountedFor(tools, outcomes, audit, removed);
    }

    [SkippableFact]
    public async Task FolderImmutable_WhileCallsFlow_DeniedAndNotReadyUntilWritableThenResumes()
    {
        var root = Immutable.CreateCapableFolder();
        _folders.Add(root);
        await using var tools = await StudyToolServer.StartAsync();
        var audit = Path.Combine(root, "audit");
        List<CallOutcome> outcomes;
        await using (var guard = await GuardProcess.StartAsync(output, tools.BaseAddress, audit))
        await using (var load = CallLoad.Start(guard.Data))
        {
            await load.MoreAsync(CallResult.Allowed, 20, "before chattr +i");
            Immutable.Set(audit);
            try
            {
                await load.MoreAsync(CallResult.Denied, 10, "while immutable");
                var (status, body) = await ReadyAsync(guard);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
                Assert.Contains("failing", body, StringComparison.Ordinal);
            }
            finally
            {
                Immutable.Clear(audit);
            }

            await Poll.UntilAsync(async () => (await ReadyAsync(guard)).Status == HttpStatusCode.OK, "ready once writable");
            await load.MoreAsync(CallResult.Allowed, 20, "once writable");
            await load.StopAsync();
            outcomes = load.Outcomes;
            await guard.StopAsync();
        }

        await AssertVerifiesAsync(audit);
        CallLedger.AssertAccountedFor(tools, outcomes, audit);
    }

    [SkippableFact]
    public async Task DiskFull_WhileCallsFlow_DeniedAndNotReadyUntilSpaceIsFreedThenResumes()
    {
        using var disk = SmallDisk.Mount(1024 * 1024);
        await using var tools = await StudyToolServer.StartAsync();
        var audit = Path.Combine(disk.Path, "audit");
        List<CallOutcome> outcomes;
        await using (var guard = await GuardProcess.StartAsync(output, tools.BaseAddress, audit))
        await using (var load = CallLoad.Start(guard.Data))
        {
            await load.MoreAsync(CallResult.Allowed, 20, "before the disk fills");
            disk.Fill();

            await load.MoreAsync(CallResult.Denied, 10, "while the disk is full");
            var (status, body) = await ReadyAsync(guard);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Contains("failing", body, StringComparison.Ordinal);

            disk.Free();
            await Poll.UntilAsync(async () => (await ReadyAsync(guard)).Status == HttpStatusCode.OK, "ready once space is freed");
            await load.MoreAsync(CallResult.Allowed, 20, "once space is freed");
            await load.StopAsync();
            outcomes = load.Outcomes;
            await guard.StopAsync();
        }

        await AssertVerifiesAsync(audit);
        CallLedger.AssertAccountedFor(tools, outcomes, audit);
    }

    private string Folder()
    {
        var folder = Directory.CreateTempSubdirectory("agentguard-faults-").FullName;
        _folders.Add(folder);
        return folder;
    }

    private async Task<(HttpStatusCode Status, string Body)> ReadyAsync(GuardProcess guard)
    {
        using var response = await _http.GetAsync(new Uri(guard.Admin, "/readyz"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Runs <c>agentguard audit verify</c> on <paramref name="directory"/>: it passes, reporting a resume when <paramref name="resumes"/>.</summary>
    private async Task<string> AssertVerifiesAsync(string directory, bool resumes = true)
    {
        var (exitCode, text) = await GuardProcess.RunCliAsync("audit", "verify", directory);
        output.WriteLine($"audit verify {directory}: {text}");
        Assert.True(exitCode == 0, text);
        Assert.StartsWith("ok: ", text, StringComparison.Ordinal);
        if (resumes)
        {
            Assert.Contains("resumed at ", text, StringComparison.Ordinal);
        }

        return text;
    }
}
