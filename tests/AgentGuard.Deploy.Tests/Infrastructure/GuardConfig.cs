using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentGuard.Deploy.Infrastructure;

/// <summary>Checks on a guard configuration file (<c>agentguard run --config</c>).</summary>
internal static class GuardConfig
{
    /// <summary>Parses the JSON strictly, as the guard's configuration reader does (no comments, no trailing commas).</summary>
    public static JsonNode Parse(string json, string what)
    {
        try
        {
            return JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow })
                ?? throw new JsonException("empty");
        }
        catch (JsonException ex)
        {
            Assert.Fail($"{what} is not valid JSON: {ex.Message}");
            throw;
        }
    }

    /// <summary>Every route names a cluster that exists, and every cluster has an absolute http(s) destination.</summary>
    public static void AssertRoutesAreConsistent(JsonNode config, string what)
    {
        var routes = config.Required("ReverseProxy.Routes", what).AsObject();
        var clusters = config.Required("ReverseProxy.Clusters", what).AsObject();
        Assert.NotEmpty(routes);
        foreach (var (id, route) in routes)
        {
            var cluster = route.Required("ClusterId", $"{what} route {id}").Text()!;
            Assert.True(clusters.ContainsKey(cluster), $"{what}: route {id} names cluster {cluster}, which is not defined");
            Assert.NotNull(route.At("Match.Path"));
        }

        foreach (var (id, cluster) in clusters)
        {
            var destinations = cluster.Required("Destinations", $"{what} cluster {id}").AsObject();
            Assert.NotEmpty(destinations);
            foreach (var (name, destination) in destinations)
            {
                var address = destination.Required("Address", $"{what} destination {name}").Text()!;
                Assert.True(Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https",
                    $"{what}: destination {name} has address '{address}', not an absolute http(s) URL");
            }
        }

        Assert.Null(config.At("AgentGuard.Upstream"));
    }
}
