using Yarp.ReverseProxy.Configuration;

namespace AgentGuard.Proxy;

/// <summary>Where the data plane sends traffic: one inspected catch-all route for <c>--upstream</c>, or the <c>ReverseProxy</c> section.</summary>
internal static class ProxyRoutes
{
    public const string UpstreamRouteId = "upstream";

    /// <summary>The routes and clusters for <c>--upstream</c>, or <see langword="null"/> when the <c>ReverseProxy</c> section is used.</summary>
    public static (IReadOnlyList<RouteConfig>? Routes, IReadOnlyList<ClusterConfig>? Clusters) Build(
        IConfiguration configuration, GuardOptions options, List<string> errors)
    {
        if (options.Upstream is null)
        {
            var configured = configuration.GetSection("ReverseProxy:Routes").GetChildren().ToList();
            if (configured.Count == 0)
            {
                errors.Add("No upstream: give --upstream URL (AgentGuard:Upstream) or routes in a ReverseProxy section (--config FILE).");
            }

            foreach (var route in configured)
            {
                if (RouteInspection.Validate(route.Key, route[$"Metadata:{RouteInspection.MetadataKey}"]) is { } error)
                {
                    errors.Add(error);
                }
            }

            return (null, null);
        }

        var routes = new[]
        {
            new RouteConfig
            {
                RouteId = UpstreamRouteId,
                ClusterId = UpstreamRouteId,
                Match = new RouteMatch { Path = "{**catch-all}" },
                Metadata = new Dictionary<string, string> { [RouteInspection.MetadataKey] = RouteInspection.Mcp },
            },
        };
        var clusters = new[]
        {
            new ClusterConfig
            {
                ClusterId = UpstreamRouteId,
                Destinations = new Dictionary<string, DestinationConfig> { ["upstream"] = new() { Address = options.Upstream } },
            },
        };
        return (routes, clusters);
    }
}
