using System.Buffers;
using System.Text.Json;
using AgentGuard.Protocols;

namespace AgentGuard.Proxy;

/// <summary>
/// The guard's own answers, in the protocol the agent speaks. They say "permission denied" and
/// give a reference for the audit record; they never name the rule that fired.
/// </summary>
internal static class McpReplies
{
    /// <summary>The JSON-RPC error code for a denied request other than <c>tools/call</c>.</summary>
    public const int PermissionDeniedCode = -32001;

    public const int ParseErrorCode = -32700;

    public const int InvalidRequestCode = -32600;

    /// <summary>
    /// The JSON-RPC error code (Internal error) the guard gives a forwarded request whose answer
    /// from the tool server it could not deliver: the server failed, answered something unreadable, or was cut off.
    /// </summary>
    public const int UpstreamErrorCode = -32603;

    /// <summary>The text a denied tool call's result carries.</summary>
    public static string DeniedText(string reference) => $"permission denied (ref: {reference})";

    /// <summary>Writes the response a denied request gets: a tool error result for <c>tools/call</c>, a JSON-RPC error otherwise.</summary>
    public static void WriteDenied(Utf8JsonWriter writer, McpMessage request, string reference)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc"u8, "2.0"u8);
        writer.WritePropertyName("id"u8);
        request.Id.WriteTo(writer);
        if (request.Method == McpMethods.ToolsCall)
        {
            writer.WriteStartObject("result"u8);
            writer.WriteStartArray("content"u8);
            writer.WriteStartObject();
            writer.WriteString("type"u8, "text"u8);
            writer.WriteString("text"u8, DeniedText(reference));
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteBoolean("isError"u8, true);
            writer.WriteEndObject();
        }
        else
        {
            WriteError(writer, PermissionDeniedCode, "permission denied", reference);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// The error a forwarded request gets when the tool server's answer cannot be delivered; <c>data.status</c>
    /// is the tool server's HTTP status. It says what happened upstream, nothing about the policy.
    /// </summary>
    public static void WriteUpstreamError(Utf8JsonWriter writer, ReadOnlySpan<byte> rawId, string message, int upstreamStatus)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc"u8, "2.0"u8);
        writer.WritePropertyName("id"u8);
        writer.WriteRawValue(rawId, skipInputValidation: true);
        writer.WriteStartObject("error"u8);
        writer.WriteNumber("code"u8, UpstreamErrorCode);
        writer.WriteString("message"u8, message);
        writer.WriteStartObject("data"u8);
        writer.WriteNumber("status"u8, upstreamStatus);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>A JSON-RPC error response with a null id, for a body that could not be decoded.</summary>
    public static byte[] Error(int code, string message, string reference)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc"u8, "2.0"u8);
            writer.WriteNull("id"u8);
            WriteError(writer, code, message, reference);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteError(Utf8JsonWriter writer, int code, string message, string reference)
    {
        writer.WriteStartObject("error"u8);
        writer.WriteNumber("code"u8, code);
        writer.WriteString("message"u8, message);
        writer.WriteStartObject("data"u8);
        writer.WriteString("ref"u8, reference);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
