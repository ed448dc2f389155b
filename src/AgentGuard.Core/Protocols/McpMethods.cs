namespace AgentGuard.Protocols;

/// <summary>MCP method names the guard treats specially.</summary>
public static class McpMethods
{
    public const string ToolsCall = "tools/call";
    public const string ResourcesRead = "resources/read";
    public const string ResourcesSubscribe = "resources/subscribe";
    public const string ResourcesUnsubscribe = "resources/unsubscribe";
    public const string PromptsGet = "prompts/get";
    public const string Initialize = "initialize";
    public const string ToolsList = "tools/list";
    public const string Ping = "ping";
    public const string NotificationsInitialized = "notifications/initialized";
}
