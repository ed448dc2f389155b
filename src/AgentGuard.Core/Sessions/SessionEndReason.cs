namespace AgentGuard.Sessions;

/// <summary>Why a session ended.</summary>
public enum SessionEndReason
{
    /// <summary>The agent called a tool the policy declares ends a task (such as <c>end_task</c>).</summary>
    EndTool,

    /// <summary>The MCP client ended the session (HTTP DELETE with its <c>Mcp-Session-Id</c>).</summary>
    Deleted,

    /// <summary>No call for the idle timeout.</summary>
    Idle,

    /// <summary>The store was full and this was its least recently used session.</summary>
    Evicted,

    /// <summary>The guard is stopping.</summary>
    Shutdown,
}
