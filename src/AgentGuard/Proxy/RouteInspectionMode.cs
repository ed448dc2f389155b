namespace AgentGuard.Proxy;

/// <summary>What the guard does with a route's requests (<see cref="RouteInspection"/>).</summary>
internal enum RouteInspectionMode
{
    /// <summary>MCP JSON-RPC: every message decoded and decided (<see cref="McpInspectionMiddleware"/>).</summary>
    Mcp,

    /// <summary>The S3 API: every request decoded and decided (<see cref="S3InspectionMiddleware"/>).</summary>
    S3,

    /// <summary>Streamed through unread.</summary>
    None,
}
