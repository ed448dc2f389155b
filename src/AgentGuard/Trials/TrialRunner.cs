using System.Globalization;
using AgentGuard.Audit;
using AgentGuard.Demo;
using AgentGuard.Oversight;
using AgentGuard.Proxy;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentGuard.Trials;

/// <summary>
/// Runs a trial: for each cell and episode, a fresh world (the study's tool server) behind a fresh
/// guard (observe mode unless enforcing, its own audit log), the agent started against it, the
/// episode ended, oversight drained, and the episode scored.
/// </summary>
public sealed class TrialRunner(TrialLibrary library, IEpisodeAgent agent, TrialRunOptions options)
{
    /// <summary>Runs every episode of <paramref name="cells"/>; <paramref name="progress"/> hears of each as it ends.</summary>
    public async Task<IReadOnlyList<EpisodeResult>> RunAsync(IReadOnlyList<TrialCell> cells, Action<EpisodeResult>? progress, CancellationToken cancellationToken)
    {
        var work = new List<(TrialCell Cell, int CellIndex, int Episode)>();
        for (var c = 0; c < cells.Count; c++)
        {
            for (var e = 0; e < options.Episodes; e++)
            {
                work.Add((cells[c], c, e));
            }
        }

        var results = new EpisodeResult[work.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, work.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallel), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var (cell, cellIndex, episode) = work[i];
                var seed = unchecked((options.Seed * 1_000_003) + (cellIndex * 10_007) + episode);
                results[i] = await RunEpisodeAsync(cell, cellIndex, episode, seed, ct);
                progress?.Invoke(results[i]);
            });
        return results;
    }

    private async Task<EpisodeResult> RunEpisodeAsync(TrialCell cell, int cellIndex, int episode, int seed, CancellationToken cancellationToken)
    {
        var scenario = library.Scenarios.Single(s => s.Name == cell.Scenario);
        var setup = library.Setup(cell);
        var folder = Path.Combine(options.Output, "episodes", cellIndex.ToString("D3", CultureInfo.InvariantCulture) + "-" + cell.Scenario, episode.ToString("D4", CultureInfo.InvariantCulture));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        var audit = Path.Combine(folder, "audit");
        await using var tools = await StudyToolServer.StartAsync(options: setup.World, cancellationToken: cancellationToken);
        var decisions = new List<DecisionRecord>();
        var findings = new List<OversightFinding>();
        AgentExit? exit = null;
        var timedOut = false;
        await using (var guard = await StartGuardAsync(tools, audit, cancellationToken))
        {
            guard.Decisions.Recorded += record =>
            {
                lock (decisions)
                {
                    decisions.Add(record);
                }
            };
            guard.Findings.Recorded += finding =>
            {
                lock (findings)
                {
                    findings.Add(finding);
                }
            };

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Timeout);
            var context = new EpisodeContext(new Uri(guard.DataAddress, tools.Endpoint.AbsolutePath), setup, episode, seed, () => tools.World.TaskEnded, folder);
            try
            {
                exit = await agent.RunAsync(context, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                timedOut = true;
            }
#pragma warning disable CA1031 // Whatever the agent did, the episode is reported, never dropped.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                exit = new AgentExit(true, ex.GetType().Name + ": " + ex.Message);
            }

            // The episode is over: its session ends now, so obligations still open are reported.
            guard.EndSessions();
            await guard.DrainOversightAsync(cancellationToken);
        }

        var trace = AuditReader.Query(audit, new AuditQuery { Type = "all" }).Select(e => e.Json).ToList();
        List<DecisionRecord> decided;
        List<OversightFinding> found;
        lock (decisions)
        {
            decided = [.. decisions];
        }

        lock (findings)
        {
            found = [.. findings];
        }

        return EpisodeScorer.Score(scenario, cell, episode, tools.World, decided, found, exit, timedOut, trace);
    }

    private Task<GuardHost> StartGuardAsync(StudyToolServer tools, string audit, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string?>
        {
            ["AgentGuard:Upstream"] = tools.BaseAddress.ToString(),
            ["AgentGuard:Listen"] = "http://127.0.0.1:0",
            ["AgentGuard:Admin"] = "http://127.0.0.1:0",
            ["AgentGuard:Agent:Id"] = options.Agent.Id,
            ["AgentGuard:Agent:Role"] = options.Agent.Role,
            ["AgentGuard:Audit:Directory"] = audit,
            ["AgentGuard:WatchPolicies"] = "false",
        };
        for (var i = 0; i < options.Policies.Count; i++)
        {
            values[$"AgentGuard:Policies:{i}"] = options.Policies[i];
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return GuardHost.StartAsync(
            configuration,
            logging => logging.ClearProviders(),
            configureServices: options.Enforce ? null : services => services.TryAddSingleton(new ObserveOnly()),
            cancellationToken: cancellationToken);
    }
}
