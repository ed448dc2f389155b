using AgentGuard.Infrastructure;
using AgentGuard.Proxy;
using Xunit.Abstractions;

namespace AgentGuard.Shared;

/// <summary>The <c>AgentGuard:SharedState</c> settings are checked at start, every problem named, and the connection string (which may hold a password) never repeated.</summary>
public sealed class SharedStateOptionsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Bad_settings_stop_the_guard_with_every_problem_named_and_no_password_shown()
    {
        var failure = await Assert.ThrowsAsync<GuardStartException>(() => TestGuard.StartAsync(output, new Uri("http://127.0.0.1:9/"), settings: new Dictionary<string, string?>
        {
            ["AgentGuard:SharedState:Postgres"] = "Host=db;Password=hunter2-secret;Colour=blue",
            ["AgentGuard:SharedState:Heartbeat"] = "00:00:05",
            ["AgentGuard:SharedState:ReplicaTimeout"] = "00:00:06",
            ["AgentGuard:SharedState:MaxQueuedWrites"] = "0",
        }));

        Assert.Contains("AgentGuard:SharedState:Postgres is not a valid Npgsql connection string", failure.Message, StringComparison.Ordinal);
        Assert.Contains("AgentGuard:SharedState:ReplicaTimeout is 00:00:06; use at least twice Heartbeat (00:00:10)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("AgentGuard:SharedState:MaxQueuedWrites is 0", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", failure.Message, StringComparison.Ordinal);
    }
}
