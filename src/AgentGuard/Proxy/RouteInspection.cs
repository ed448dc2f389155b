using Yarp.ReverseProxy.Configuration;

namespace AgentGuard.Proxy;

/// <summary>How a route's traffic is inspected, from the route's <c>AgentGuard.Inspect</c> metadata.</summary>
internal static class RouteInspection
{
    /// <summary>The route metadata key.</summary>
    public const string MetadataKey = "AgentGuard.Inspect";

    /// <summary>Decode POST bodies as MCP JSON-RPC and decide every message. The default.</summary>
    public const string Mcp = "mcp";

    /// <summary>Stream through uninspected, with constant memory (weights uploads and the like).</summary>
    public const string None = "none";

    /// <summary>Whether <paramref name="route"/> is inspected as MCP. Routes that say nothing are: failing closed is the default.</summary>
    public static bool IsMcp(RouteConfig route)
        => route.Metadata is null
            || !route.Metadata.TryGetValue(MetadataKey, out var mode)
            || !string.Equals(mode, None, StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns an error for a metadata value that is neither <c>mcp</c> nor <c>none</c>.</summary>
    public static string? Validate(RouteConfig route)
        => route.Metadata is not null
            && route.Metadata.TryGetValue(MetadataKey, out var mode)
            && !string.Equals(mode, Mcp, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(mode, None, StringComparison.OrdinalIgnoreCase)
                ? $"ReverseProxy:Routes:{route.RouteId}:Metadata:{MetadataKey} is '{mode}'; use 'mcp' or 'none'."
                : null;
}
