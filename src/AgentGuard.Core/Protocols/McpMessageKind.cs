namespace AgentGuard.Protocols;

/// <summary>The three shapes of a JSON-RPC message.</summary>
public enum McpMessageKind
{
    /// <summary>Has a method and an id: expects a response.</summary>
    Request,

    /// <summary>Has a method and no id: expects nothing back.</summary>
    Notification,

    /// <summary>Has an id and a result or error: the agent answering a server's request.</summary>
    Response,
}
