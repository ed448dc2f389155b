using System.Net;
using AgentGuard.Demo;
using AgentGuard.Infrastructure;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Xunit.Abstractions;

namespace AgentGuard.Holds;

/// <summary>
/// While a call is held, an agent that gave a progress token gets <c>notifications/progress</c> (its
/// SDK's progress handler sees them; a TypeScript client's request timer restarts on each), then the
/// tool's real answer or the denial in the same event stream.
/// </summary>
public sealed class HoldProgressTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly Dictionary<string, string?> EverySecond = new() { ["AgentGuard:Holds:ProgressInterval"] = "00:00:01" };
    private static readonly Dictionary<string, object?> DeleteLog = new() { ["ip"] = StudyWorld.SourceServerIp, ["filename"] = "server_migration_log_2024.txt" };

    [Fact]
    public async Task HeldCallWithProgressToken_ProgressWhileHeld_ThenTheRealResult()
    {
        await using var setup = await HoldingGuard.StartAsync(output, settings: EverySecond);
        await using var client = await setup.ConnectAsync();
        var progress = new Recorder();

        var call = client.CallToolAsync("delete_server_file", DeleteLog, progress).AsTask();
        var held = Assert.Single(await setup.HeldAsync());
        await Poll.UntilAsync(() => progress.Count >= 2, "two progress notifications while held");

        Assert.False(call.IsCompleted);
        Assert.Equal(HttpStatusCode.OK, (await setup.VoteAsync(HoldingGuard.AliceToken, held, "approve")).StatusCode);
        var result = await call.WaitAsync(Deadline);

        Assert.NotEqual(true, result.IsError);
        Assert.Equal($"Deleted 'server_migration_log_2024.txt' from {StudyWorld.SourceServerIp}.", Text(result));
        Assert.True(progress.Increasing, "progress must increase");
        Assert.Single(setup.Tools.World.ReceivedCalls, c => c.Tool == "delete_server_file");

        // The answer, turned into an event on its way, was still observed as the session's evidence.
        using var metrics = new HttpClient { BaseAddress = setup.Guard.AdminAddress };
        await Poll.UntilAsync(
            async () => System.Text.RegularExpressions.Regex.IsMatch(await metrics.GetStringAsync("/metrics"), @"(?m)^agentguard_evidence_observed_total(\{[^}]*\})? [1-9]"),
            "the held call's answer observed as evidence");
    }

    [Fact]
    public async Task HeldCallWithProgressToken_Denied_DenialInTheEventStream()
    {
        await using var setup = await HoldingGuard.StartAsync(output, settings: EverySecond);
        await using var client = await setup.ConnectAsync();
        var progress = new Recorder();

        var call = client.CallToolAsync("delete_server_file", DeleteLog, progress).AsTask();
        var held = Assert.Single(await setup.HeldAsync());
        await Poll.UntilAsync(() => progress.Count >= 1, "a progress notification while held");
        await setup.VoteAsync(HoldingGuard.BobToken, held, "deny");
        var result = await call.WaitAsync(Deadline);

        Assert.True(result.IsError);
        Assert.Equal($"permission denied (ref: {held.GetProperty("id").GetString()})", Text(result));
        Assert.DoesNotContain(setup.Tools.World.ReceivedCalls, c => c.Tool == "delete_server_file");
    }

    [Fact]
    public async Task HeldCallWithoutProgressToken_NoEventStreamStarted_PlainAnswer()
    {
        await using var setup = await HoldingGuard.StartAsync(output, settings: EverySecond);
        using var http = new HttpClient();

        var call = Mcp.PostAsync(http, setup.Endpoint, """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"delete_server_file","arguments":{"ip":"10.0.12.45","filename":"server_migration_log_2024.txt"}}}""");
        var held = Assert.Single(await setup.HeldAsync());
        await setup.VoteAsync(HoldingGuard.AliceToken, held, "approve");
        var response = await call.WaitAsync(Deadline);

        var messages = await Mcp.ReadMessagesAsync(response);
        Assert.DoesNotContain(messages, m => m.TryGetProperty("method", out _));
        Assert.Equal(3, Assert.Single(messages).GetProperty("id").GetInt32());
    }

    private static string Text(CallToolResult result)
        => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    /// <summary>Records progress as the client's handler receives it.</summary>
    private sealed class Recorder : IProgress<ProgressNotificationValue>
    {
        private readonly List<float> _values = [];

        public int Count
        {
            get
            {
                lock (_values)
                {
                    return _values.Count;
                }
            }
        }

        public bool Increasing
        {
            get
            {
                lock (_values)
                {
                    return _values.Zip(_values.Skip(1)).All(p => p.Second > p.First);
                }
            }
        }

        public void Report(ProgressNotificationValue value)
        {
            lock (_values)
            {
                _values.Add(value.Progress);
            }
        }
    }
}
