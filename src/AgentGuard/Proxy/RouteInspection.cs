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

    /// <summary>Decode every request as an S3 API call and decide it; object content streams through, sniffed but not buffered.</summary>
    public const string S3 = "s3";

    /// <summary>The route's mode. Routes that say nothing are MCP: failing closed is the default.</summary>
    public static RouteInspectionMode Of(RouteConfig route)
    {
        if (route.Metadata is null || !route.Metadata.TryGetValue(MetadataKey, out var mode))
        {
            return RouteInspectionMode.Mcp;
        }

        if (string.Equals(mode, None, StringComparison.OrdinalIgnoreCase))
        {
            return RouteInspectionMode.None;
        }

        // Validate refuses any other value at start; were one to slip through, MCP inspection fails closed.
        return string.Equals(mode, S3, StringComparison.OrdinalIgnoreCase) ? RouteInspectionMode.S3 : RouteInspectionMode.Mcp;
    }

    /// <summary>Whether <paramref name="route"/> is inspected as MCP. Routes that say nothing are: failing closed is the default.</summary>
    public static bool IsMcp(RouteConfig route) => Of(route) == RouteInspectionMode.Mcp;

    /// <summary>
    /// Returns the error for a route whose <c>AgentGuard.Inspect</c> value is not <c>mcp</c>,
    /// <c>s3</c> or <c>none</c> (case aside), or <see langword="null"/>. A typo must not silently
    /// mean <c>mcp</c>: that fails closed, but an operator who wrote <c>none</c> or <c>s3</c> wrongly
    /// would find large uploads or every S3 call denied with no word about why.
    /// </summary>
    public static string? Validate(string routeId, string? mode)
        => mode is null
            || string.Equals(mode, Mcp, StringComparison.OrdinalIgnoreCase)
            || string.Equals(mode, S3, StringComparison.OrdinalIgnoreCase)
            || string.Equals(mode, None, StringComparison.OrdinalIgnoreCase)
                ? null
                : $"ReverseProxy:Routes:{routeId}:Metadata:{MetadataKey} is '{mode}'; use '{Mcp}' (decode and decide every MCP message), '{S3}' (decode and decide every S3 API call) or '{None}' (stream through unread).";
}
