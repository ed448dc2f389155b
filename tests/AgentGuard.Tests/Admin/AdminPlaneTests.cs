using System.Net;
using AgentGuard.Infrastructure;
using Xunit.Abstractions;

namespace AgentGuard.Admin;

/// <summary>The admin routes exist on the admin plane only: on the data plane they are the tool server's paths like any other.</summary>
public sealed class AdminPlaneTests(ITestOutputHelper output)
{
    private static readonly string[] AdminPaths = ["/metrics", "/healthz", "/readyz", "/api/audit", "/api/policy"];

    [Fact]
    public async Task DataPlane_AdminPathsOnCatchAllRoute_ProxiedUpstreamNeverAnsweredByGuard()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await TestGuard.StartAsync(output, upstream.Address);
        using var http = new HttpClient();

        foreach (var path in AdminPaths)
        {
            // The one GET an MCP route forwards: the transport's event stream.
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(guard.DataAddress, path));
            request.Headers.Accept.ParseAdd("text/event-stream");
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("upstream", body, StringComparison.Ordinal);
            Assert.DoesNotContain("agentguard_", body, StringComparison.Ordinal);
            Assert.DoesNotContain("# TYPE", body, StringComparison.Ordinal);
        }

        Assert.Equal(AdminPaths, upstream.Received.Select(r => r.Path).ToArray());
    }

    [Fact]
    public async Task DataPlane_ReloadPostOnCatchAllRoute_InspectedNotReloaded()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await TestGuard.StartAsync(output, upstream.Address);
        var lastLoad = guard.Policies.LastResult;
        using var http = new HttpClient();

        using var response = await http.PostAsync(new Uri(guard.DataAddress, "/api/policy/reload"), content: null);

        // An empty POST on an inspected route is not JSON: denied as such, and nothing reloaded.
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Same(lastLoad, guard.Policies.LastResult);
        Assert.Empty(upstream.Received);
    }

    [Fact]
    public async Task DataPlane_NoRouteForAdminPaths_NotFoundWithoutMetrics()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, settings: new Dictionary<string, string?>
        {
            ["AgentGuard:Upstream"] = null,
            ["ReverseProxy:Routes:tools:ClusterId"] = "tools",
            ["ReverseProxy:Routes:tools:Match:Path"] = "/mcp",
            ["ReverseProxy:Clusters:tools:Destinations:d1:Address"] = upstream.Address.ToString(),
        });
        using var http = new HttpClient();

        foreach (var path in AdminPaths)
        {
            using var response = await http.GetAsync(new Uri(guard.DataAddress, path));

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.DoesNotContain("agentguard_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Empty(upstream.Received);
    }

    [Fact]
    public async Task AdminPlane_MetricsHealthReadiness_OpenEvenWithApiToken()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, settings: new Dictionary<string, string?>
        {
            ["AgentGuard:AdminApiToken"] = AdminApiTests.Token,
        });
        using var http = new HttpClient();

        using var metrics = await http.GetAsync(new Uri(guard.AdminAddress, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal("text/plain", metrics.Content.Headers.ContentType?.MediaType);
        Assert.Contains("agentguard_tool_calls_total", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(guard.AdminAddress, "/healthz"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(guard.AdminAddress, "/readyz"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri(guard.AdminAddress, "/api/policy"))).StatusCode);
    }
}
