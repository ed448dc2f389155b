using System.Text.Json;

namespace AgentGuard;

/// <summary>One call an agent makes, whatever the protocol it arrived in.</summary>
/// <param name="Agent">The caller.</param>
/// <param name="Session">The protocol session (e.g. <c>Mcp-Session-Id</c>), when there is one.</param>
/// <param name="Protocol">The protocol the call arrived in, e.g. <c>mcp</c>.</param>
/// <param name="Method">The protocol method, e.g. <c>tools/call</c>; empty for a JSON-RPC response.</param>
/// <param name="Tool">The tool name for <c>tools/call</c>, otherwise <see langword="null"/>.</param>
/// <param name="Arguments">The tool arguments (a JSON object), or <see langword="default"/> when there are none.</param>
/// <param name="ResourceUri">The resource a call names directly (<c>resources/read</c>'s <c>uri</c>), otherwise <see langword="null"/>.</param>
public sealed record ToolCall(
    Agent Agent,
    string? Session,
    string Protocol,
    string Method,
    string? Tool,
    JsonElement Arguments,
    string? ResourceUri = null);
