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

    /// <summary>
    /// Returns the error for a route whose <c>AgentGuard.Inspect</c> value is neither <c>mcp</c> nor
    /// <c>none</c> (case aside), or <see langword="null"/>. A typo must not silently mean <c>mcp</c>:
    /// that fails closed, but an operator who wrote <c>none</c> wrongly would find large uploads
    /// denied with no word about why.
    /// </summary>
    public static string? Validate(string routeId, string? mode)
        => mode is null
            || string.Equals(mode, Mcp, StringComparison.OrdinalIgnoreCase)
            || string.Equals(mode, None, StringComparison.OrdinalIgnoreCase)
                ? null
                : $"ReverseProxy:Routes:{routeId}:Metadata:{MetadataKey} is '{mode}'; use '{Mcp}' (decode and decide every message) or '{None}' (stream through unread).";
}
