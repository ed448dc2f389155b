using System.Text.RegularExpressions;
using AgentGuard.Demo;
using AgentGuard.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Xunit.Abstractions;

namespace AgentGuard.Holds;

/// <summary>The hold series on <c>/metrics</c>, and a hold queue that fails: the call is denied, never forwarded.</summary>
public sealed class HoldMetricsTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, object?> DeleteLog = new() { ["ip"] = StudyWorld.SourceServerIp, ["filename"] = "server_migration_log_2024.txt" };

    [Fact]
    public async Task HeldThenDenied_PendingAndOldestWhileHeld_EndedByOutcomeAfter()
    {
        await using var setup = await HoldingGuard.StartAsync(output);
        await using var client = await setup.ConnectAsync();
        using var admin = new HttpClient { BaseAddress = setup.Guard.AdminAddress };

        var call = client.CallToolAsync("delete_server_file", DeleteLog).AsTask();
        var held = Assert.Single(await setup.HeldAsync());
        var waiting = await admin.GetStringAsync("/metrics");
        await setup.VoteAsync(HoldingGuard.AliceToken, held, "deny");
        await call.WaitAsync(TimeSpan.FromSeconds(30));
        var after = await admin.GetStringAsync("/metrics");

        Assert.Equal(1, Value(waiting, "agentguard_holds_pending"));
        Assert.True(Value(waiting, "agentguard_hold_oldest_waiting_seconds") > 0);
        Assert.Equal(0, Value(after, "agentguard_holds_pending"));
        Assert.Equal(0, Value(after, "agentguard_hold_oldest_waiting_seconds"));
        Assert.Equal(1, Value(after, "agentguard_holds_ended_total{outcome=\"denied\"}"));
        Assert.Equal(0, Value(after, "agentguard_holds_ended_total{outcome=\"approved\"}"));
        Assert.Equal(1, Value(after, "agentguard_hold_wait_seconds_count"));
    }

    [Fact]
    public async Task HoldQueueFails_CallDeniedAsUnavailableAndNotForwarded()
    {
        await using var tools = await StudyToolServer.StartAsync();
        var folder = Directory.CreateTempSubdirectory("agentguard-holds-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "holds.yaml"), HoldingGuard.HoldRules);
            await using var guard = await TestGuard.StartAsync(
                output, tools.BaseAddress, [TestGuard.ShippedPolicies, folder], services: services => services.AddSingleton<IHoldQueue>(new FailingHoldQueue()));
            var decisions = TestGuard.Collect(guard);
            var transport = new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(guard.DataAddress, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp });
            await using var client = await McpClient.CreateAsync(transport);

            var result = await client.CallToolAsync("delete_server_file", DeleteLog).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.True(result.IsError);
            Assert.DoesNotContain(tools.World.ReceivedCalls, c => c.Tool == "delete_server_file");
            lock (decisions)
            {
                Assert.Equal("hold-unavailable", Assert.Single(decisions, d => d.Call.Tool == "delete_server_file").Decision.RuleId);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Value(string metrics, string series)
    {
        var match = Regex.Match(metrics, "(?m)^" + Regex.Escape(series) + " ([0-9.eE+-]+)$");
        Assert.True(match.Success, $"{series} is not exported");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A shared hold queue whose store cannot be reached.</summary>
    private sealed class FailingHoldQueue : IHoldQueue
    {
        public string Replica => "failing";

        public Task<HoldResolution> HoldAsync(HeldCall call, CancellationToken cancellationToken) => throw new IOException("connection refused");

        public IReadOnlyList<PendingHold> Pending() => [];

        public ValueTask<VoteResult> VoteAsync(HoldVote vote, CancellationToken cancellationToken) => ValueTask.FromResult(VoteResult.Unavailable);
    }
}
