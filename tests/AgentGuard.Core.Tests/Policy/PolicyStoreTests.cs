using AgentGuard.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentGuard.Policy;

public sealed class PolicyStoreTests : IDisposable
{
    private const string DenyWrites = """
        rules:
          - id: deny-writes
            when: { kind: write }
            decision: deny
            finding: { category: tampering, severity: high }
        tools:
          write_file: { kind: write, resource: "file://{path}" }
        """;

    private const string AllowWrites = """
        rules:
          - id: allow-writes
            when: { kind: write }
            decision: allow
        tools:
          write_file: { kind: write, resource: "file://{path}" }
        """;

    // A one-line mapping missing its closing brace; YamlDotNet throws InvalidOperationException on it.
    private const string MissingBrace = """
        tools:
          write_file: { kind: write, resource: "file://{path}"
        rules: []
        """;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly TempFolder _folder = new();
    private readonly FakeLogger _logger = new();

    public void Dispose() => _folder.Dispose();

    private PolicyStore Open(params string[] paths)
    {
        var store = PolicyStore.Open(paths, [], _logger, TimeProvider.System, out var errors);
        Assert.True(store is not null, "store did not open:\n" + string.Join('\n', errors));
        return store;
    }

    private static DecisionKind DecideWrite(PolicyStore store)
        => PolicyEngine.Decide(store.Current, new ToolCall(McpCalls.Evaluator, null, "mcp", "tools/call", "write_file", Json.Parse("""{"path":"/srv/a.txt"}"""))).Kind;

    [Fact]
    public void Open_ValidPolicy_ServesIt()
    {
        _folder.Write("p.yaml", DenyWrites);

        using var store = Open(_folder.Path);

        Assert.Equal(DecisionKind.Deny, DecideWrite(store));
        Assert.True(store.LastResult.Succeeded);
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Id.Id == 2001 && r.Level == LogLevel.Information);
    }

    [Fact]
    public void Open_InvalidPolicy_ReturnsNullWithEveryError()
    {
        var path = _folder.Write("p.yaml", "rules:\n  - id: r\n    decision: deny\n");

        var store = PolicyStore.Open([_folder.Path], [], _logger, TimeProvider.System, out var errors);

        Assert.Null(store);
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal((path, 2), (e.File, e.Line)));
    }

    [Fact]
    public void Reload_ValidChange_SwapsToNewVersion()
    {
        var path = _folder.Write("p.yaml", DenyWrites);
        using var store = Open(path);
        var before = store.Current.Version;
        PolicyLoadResult? reported = null;
        store.Reloaded += r => reported = r;

        File.WriteAllText(path, AllowWrites);
        var result = store.Reload();

        Assert.True(result.Succeeded);
        Assert.Same(result, reported);
        Assert.NotEqual(before, store.Current.Version);
        Assert.Equal(DecisionKind.Allow, DecideWrite(store));
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Id.Id == 2002 && r.Message.Contains(before, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("rules:\n  - id: r\n    when: { kind: wrte }\n    decision: allow\n")]
    [InlineData("rules: [\n")]
    [InlineData(MissingBrace)]
    [InlineData("")]
    public void Reload_InvalidChange_KeepsLastGoodVersionAndReportsWhy(string broken)
    {
        var path = _folder.Write("p.yaml", DenyWrites);
        using var store = Open(path);
        var good = store.Current;

        File.WriteAllText(path, broken);
        var result = store.Reload();

        Assert.False(result.Succeeded);
        Assert.NotEmpty(result.Errors);
        Assert.Same(result, store.LastResult);
        Assert.Same(good, store.Current);
        Assert.Equal(DecisionKind.Deny, DecideWrite(store));
        var rejected = _logger.Collector.GetSnapshot().Where(r => r.Id.Id == 2003).ToList();
        Assert.NotEmpty(rejected);
        Assert.All(rejected, r => Assert.Equal(LogLevel.Error, r.Level));
        Assert.All(rejected, r => Assert.Contains(good.Version, r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Reload_DeletedFile_KeepsLastGoodVersion()
    {
        var path = _folder.Write("p.yaml", DenyWrites);
        using var store = Open(path);
        var good = store.Current;

        File.Delete(path);

        Assert.False(store.Reload().Succeeded);
        Assert.Same(good, store.Current);
    }

    [Fact]
    public void Reload_FixedAfterInvalidChange_SwapsAgain()
    {
        var path = _folder.Write("p.yaml", DenyWrites);
        using var store = Open(path);

        File.WriteAllText(path, "rules: nope\n");
        store.Reload();
        File.WriteAllText(path, AllowWrites);
        var result = store.Reload();

        Assert.True(result.Succeeded);
        Assert.Equal(DecisionKind.Allow, DecideWrite(store));
    }

    [Fact]
    public async Task Watch_FileChanged_ReloadsNewVersion()
    {
        var path = _folder.Write("policies/p.yaml", DenyWrites);
        using var store = Open(Path.GetDirectoryName(path)!);
        var before = store.Current.Version;
        var swapped = new TaskCompletionSource<PolicyLoadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Reloaded += r =>
        {
            if (r.Policy is { } policy && policy.Version != before)
            {
                swapped.TrySetResult(r);
            }
        };
        store.Watch();

        File.WriteAllText(path, AllowWrites);

        var result = await WaitAsync(swapped.Task, "the watcher to reload the changed policy");
        Assert.Same(result.Policy, store.Current);
        Assert.Equal(DecisionKind.Allow, DecideWrite(store));
    }

    [Fact]
    public async Task Watch_FileReplacedWithInvalidPolicy_KeepsLastGoodVersion()
    {
        var path = _folder.Write("policies/p.yaml", DenyWrites);
        using var store = Open(Path.GetDirectoryName(path)!);
        var good = store.Current;
        var rejected = new TaskCompletionSource<PolicyLoadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Reloaded += r =>
        {
            if (!r.Succeeded)
            {
                rejected.TrySetResult(r);
            }
        };
        store.Watch();

        File.WriteAllText(path, MissingBrace);

        await WaitAsync(rejected.Task, "the watcher to attempt a reload of the broken policy");
        Assert.Same(good, store.Current);
    }

    [Fact]
    public void ScheduledReload_FileChangesBetweenReads_LoadsOnlyAfterTwoEqualReads()
    {
        var path = _folder.Write("p.yaml", DenyWrites);
        var clock = new FakeTimeProvider();
        using var store = PolicyStore.Open([path], [], _logger, clock, out _)!;
        var loaded = new List<string>();
        store.Reloaded += r => loaded.Add(r.Policy?.Rules[0].Id ?? "rejected");

        // A writer has put down the first half of a file: valid YAML, one rule fewer.
        const string full = """
            tools:
              write_file: { kind: write, resource: "file://{path}" }
            rules:
              - id: allow-writes
                when: { kind: write }
                decision: allow
              - id: deny-deletes
                when: { kind: delete }
                decision: deny
                finding: { category: tampering, severity: high }

            """;
        File.WriteAllText(path, full[..full.IndexOf("  - id: deny-deletes", StringComparison.Ordinal)]);
        store.ScheduleReload();
        clock.Advance(PolicyStore.Debounce);
        Assert.Empty(loaded);

        // ...and the rest before the second read: the two reads differ, so neither loads.
        File.WriteAllText(path, full);
        clock.Advance(PolicyStore.Settle);
        Assert.Empty(loaded);

        clock.Advance(PolicyStore.Settle);
        Assert.Equal(["allow-writes"], loaded);
        Assert.Equal(2, store.Current.Rules.Length);
    }

    [Fact]
    public void ScheduledReload_ChangeEventBetweenReads_StartsOver()
    {
        var path = _folder.Write("p.yaml", DenyWrites);
        var clock = new FakeTimeProvider();
        using var store = PolicyStore.Open([path], [], _logger, clock, out _)!;
        var attempts = 0;
        store.Reloaded += _ => attempts++;

        File.WriteAllText(path, AllowWrites);
        store.ScheduleReload();
        clock.Advance(PolicyStore.Debounce);
        store.ScheduleReload();
        clock.Advance(PolicyStore.Debounce);
        Assert.Equal(0, attempts);

        clock.Advance(PolicyStore.Settle);
        Assert.Equal(1, attempts);
        Assert.Equal(DecisionKind.Allow, DecideWrite(store));
    }

    [Fact]
    public void PollOnce_FilesChangedWithoutEvent_ReloadsOnceStable()
    {
        var path = _folder.Write("p.yaml", DenyWrites);
        var clock = new FakeTimeProvider();
        using var store = PolicyStore.Open([path], [], _logger, clock, out _)!;

        store.PollOnce();
        clock.Advance(PolicyStore.Debounce + PolicyStore.Settle);
        Assert.Equal(DecisionKind.Deny, DecideWrite(store));

        File.WriteAllText(path, AllowWrites);
        store.PollOnce();
        clock.Advance(PolicyStore.Debounce);
        clock.Advance(PolicyStore.Settle);

        Assert.Equal(DecisionKind.Allow, DecideWrite(store));
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Id.Id == 2012);
    }

    [Fact]
    public void Reload_VersionDropsRulesAssetsAndMappings_LogsThemAtWarning()
    {
        var path = _folder.Write("p.yaml", """
            assets:
              weights: { resources: ["**/*.safetensors", "**/weights/**"] }
              canary: { resources: ["**/canary.txt"] }
            tools:
              write_file: { kind: write, resource: "file://{path}" }
              delete: { kind: delete, resource: "file://{path}" }
            rules:
              - id: deny-weights
                when: { asset: weights }
                decision: deny
                finding: { category: test, severity: low }
              - id: deny-canary
                when: { asset: canary }
                decision: deny
                finding: { category: test, severity: low }
            """);
        using var store = Open(path);

        File.WriteAllText(path, """
            assets:
              weights: { resources: ["**/*.safetensors"] }
            tools:
              write_file: { kind: write, resource: "file://{path}" }
            rules:
              - id: deny-weights
                when: { asset: weights }
                decision: deny
                finding: { category: test, severity: low }
            """);
        Assert.True(store.Reload().Succeeded);

        var removed = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 2010);
        Assert.Equal(LogLevel.Warning, removed.Level);
        Assert.Contains("rules [deny-canary]", removed.Message, StringComparison.Ordinal);
        Assert.Contains("canary", removed.Message, StringComparison.Ordinal);
        Assert.Contains("weights: **/weights/**", removed.Message, StringComparison.Ordinal);
        Assert.Contains("tool mappings [delete]", removed.Message, StringComparison.Ordinal);
    }

    private static async Task<T> WaitAsync<T>(Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"timed out after {Timeout.TotalSeconds} s waiting for {what}");
            throw;
        }
    }
}
