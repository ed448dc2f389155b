using System.Net;
using System.Net.Sockets;
using AgentGuard.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace AgentGuard.Proxy;

public sealed class GuardHostTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StartAsync_FixedPorts_EachPlaneOnItsOwnPort()
    {
        var (dataPort, adminPort) = (FreePort(), FreePort());
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, settings: new Dictionary<string, string?>
        {
            ["AgentGuard:Listen"] = $"http://127.0.0.1:{dataPort}",
            ["AgentGuard:Admin"] = $"http://127.0.0.1:{adminPort}",
        });

        Assert.Equal(dataPort, guard.DataAddress.Port);
        Assert.Equal(adminPort, guard.AdminAddress.Port);
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{adminPort}/readyz")).StatusCode);
    }

    [Fact]
    public async Task StartAsync_InvalidSettings_ReportsEveryErrorWithKeyAndFix()
    {
        var error = await Assert.ThrowsAsync<GuardStartException>(() => TestGuard.StartAsync(output, new Uri("http://127.0.0.1:1"), settings: new Dictionary<string, string?>
        {
            ["AgentGuard:Inspection:MaxBodyBytes"] = "0",
            ["AgentGuard:Listen"] = "http://127.0.0.1:7000",
            ["AgentGuard:Admin"] = "http://127.0.0.1:7000",
            ["AgentGuard:Agent:Id"] = "",
        }));

        Assert.Contains(error.Errors, e => e.StartsWith("AgentGuard:Inspection:MaxBodyBytes is 0; use 1 KiB to 64 MiB", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("AgentGuard:Admin uses port 7000, the data-plane port", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("AgentGuard:Agent:Id is empty", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_UnknownInspectValue_RefusesToStartNamingRouteAndValidValues()
    {
        var error = await Assert.ThrowsAsync<GuardStartException>(() => TestGuard.StartAsync(output, new Uri("http://127.0.0.1:1"), settings: new Dictionary<string, string?>
        {
            ["AgentGuard:Upstream"] = null,
            ["ReverseProxy:Routes:tools:ClusterId"] = "tools",
            ["ReverseProxy:Routes:tools:Match:Path"] = "/mcp",
            ["ReverseProxy:Routes:tools:Metadata:AgentGuard.Inspect"] = "off",
            ["ReverseProxy:Routes:store:ClusterId"] = "tools",
            ["ReverseProxy:Routes:store:Match:Path"] = "/weights/{**rest}",
            ["ReverseProxy:Routes:store:Metadata:AgentGuard.Inspect"] = "None",
            ["ReverseProxy:Clusters:tools:Destinations:d1:Address"] = "http://127.0.0.1:1",
        }));

        Assert.Equal("ReverseProxy:Routes:tools:Metadata:AgentGuard.Inspect is 'off'; use 'mcp' (decode and decide every MCP message), 's3' (decode and decide every S3 API call) or 'none' (stream through unread).", Assert.Single(error.Errors));
    }

    [Fact]
    public async Task StartAsync_InvalidPolicy_RefusesToStartWithPolicyErrors()
    {
        var folder = Directory.CreateTempSubdirectory("agentguard-host-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "p.yaml"), "default: sometimes\n");

            var error = await Assert.ThrowsAsync<GuardStartException>(() => TestGuard.StartAsync(output, new Uri("http://127.0.0.1:1"), [folder]));

            Assert.Contains(error.Errors, e => e.Contains("p.yaml:1: default 'sometimes' is unknown", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task StartAsync_DefaultLogLevels_ForwardedCallsLogDecisionsNotFrameworkChatter()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        var logs = new RecordingLoggerProvider();
        await using (var guard = await TestGuard.StartAsync(output, upstream.Address, logs: logs))
        {
            using var http = new HttpClient();
            var endpoint = new Uri(guard.DataAddress, "/mcp");
            for (var i = 0; i < 3; i++)
            {
                (await Mcp.PostAsync(http, endpoint, """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_server_files","arguments":{"ip":"10.0.12.45"}}}""")).EnsureSuccessStatusCode();
            }

            await Mcp.PostAsync(http, endpoint, """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"modify_var","arguments":{"key":"shutdown_enabled","value":"false"}}}""");
        }

        var entries = logs.Entries.ToArray();
        Assert.Equal(3, upstream.Received.Count);
        Assert.DoesNotContain(entries, e => !e.Category.StartsWith("AgentGuard", StringComparison.Ordinal) && e.Level < LogLevel.Warning);
        Assert.Contains(entries, e => e.Category.EndsWith("McpInspectionMiddleware", StringComparison.Ordinal) && e.Level == LogLevel.Warning && e.Message.Contains("shutdown-tampering", StringComparison.Ordinal));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
