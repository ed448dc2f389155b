using System.Text;
using System.Text.Json;

namespace AgentGuard.Protocols;

/// <summary>
/// MCP 2026-07-28 mirrors parts of the body into headers (<c>Mcp-Method</c>, <c>Mcp-Name</c>,
/// <c>Mcp-Param-*</c>) so that intermediaries can route without reading bodies. An intermediary
/// that does read the body must reject a request whose headers disagree with it (error -32020):
/// otherwise a gateway deciding on the headers and a server acting on the body see different calls.
/// </summary>
public static class McpHeaderCheck
{
    /// <summary>The JSON-RPC error code for a header that disagrees with the body.</summary>
    public const int HeaderMismatchCode = -32020;

    /// <summary>Checks the mirrored headers against <paramref name="exchange"/>; absent headers are not checked.</summary>
    /// <param name="exchange">The decoded body.</param>
    /// <param name="method">The <c>Mcp-Method</c> header, or <see langword="null"/>.</param>
    /// <param name="name">The <c>Mcp-Name</c> header, or <see langword="null"/>.</param>
    /// <param name="parameters">The <c>Mcp-Param-*</c> headers as (suffix, value).</param>
    /// <returns><see langword="null"/> when they agree, otherwise what disagrees.</returns>
    public static string? Check(McpExchange exchange, string? method, string? name, IReadOnlyList<(string Name, string Value)> parameters)
    {
        if (method is null && name is null && parameters.Count == 0)
        {
            return null;
        }

        if (exchange.IsBatch)
        {
            return "Mcp-* headers cannot describe a batch";
        }

        var message = exchange.Messages[0];
        if (method is not null)
        {
            var decodedMethod = DecodeValue(method);
            if (decodedMethod is null || message.Kind == McpMessageKind.Response || decodedMethod != message.Method)
            {
                return "Mcp-Method header does not match the body's method";
            }
        }

        if (name is not null)
        {
            var decodedName = DecodeValue(name);
            if (decodedName is null || message.Name is null || decodedName != message.Name)
            {
                return "Mcp-Name header does not match the body";
            }
        }

        foreach (var (parameter, value) in parameters)
        {
            var decoded = DecodeValue(value);
            if (decoded is null || !ArgumentAgrees(message.Arguments, parameter, decoded))
            {
                return $"Mcp-Param-{parameter} header does not match the body's arguments";
            }
        }

        return null;
    }

    /// <summary>Undoes the <c>=?base64?...?=</c> encoding of a header value; <see langword="null"/> when it is malformed.</summary>
    internal static string? DecodeValue(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.StartsWith("=?base64?", StringComparison.OrdinalIgnoreCase) || !trimmed.EndsWith("?=", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var payload = trimmed["=?base64?".Length..^2];
        var bytes = new byte[(payload.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(payload, bytes, out var written) || !System.Text.Unicode.Utf8.IsValid(bytes.AsSpan(0, written)))
        {
            return null;
        }

        return Encoding.UTF8.GetString(bytes, 0, written);
    }

    private static bool ArgumentAgrees(JsonElement arguments, string parameter, string value)
    {
        if (arguments.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        // The header's name comes from the tool schema's x-mcp-header, which need not be the
        // argument's name. A same-named argument must match; otherwise some primitive argument must.
        var sameNamed = false;
        foreach (var property in arguments.EnumerateObject())
        {
            if (string.Equals(property.Name, parameter, StringComparison.OrdinalIgnoreCase))
            {
                sameNamed = true;
                if (Primitive(property.Value) == value)
                {
                    return true;
                }
            }
        }

        if (sameNamed)
        {
            return false;
        }

        foreach (var property in arguments.EnumerateObject())
        {
            if (Primitive(property.Value) == value)
            {
                return true;
            }
        }

        return false;
    }

    private static string? Primitive(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };
}
