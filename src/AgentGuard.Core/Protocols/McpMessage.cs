using System.Text.Json;

namespace AgentGuard.Protocols;

/// <summary>One decoded JSON-RPC message of an MCP exchange.</summary>
/// <param name="Kind">Request, notification or response.</param>
/// <param name="Id">The request or response id (a string or number), or <see langword="default"/> for a notification.</param>
/// <param name="Method">The method, or an empty string for a response.</param>
/// <param name="Name">The named tool or prompt (<c>params.name</c>), or the resource (<c>params.uri</c>) for resource methods.</param>
/// <param name="Arguments">The tool or prompt arguments object, or <see langword="default"/> when absent.</param>
/// <param name="Element">The whole message, to forward it unchanged.</param>
public sealed record McpMessage(
    McpMessageKind Kind,
    JsonElement Id,
    string Method,
    string? Name,
    JsonElement Arguments,
    JsonElement Element)
{
    /// <summary>Whether <see cref="Name"/> is a resource URI rather than a tool or prompt name.</summary>
    public bool NameIsResource => Method is McpMethods.ResourcesRead or McpMethods.ResourcesSubscribe or McpMethods.ResourcesUnsubscribe;
}
