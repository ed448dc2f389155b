using System.Buffers;
using AgentGuard.Protocols;
using Microsoft.Extensions.Primitives;

namespace AgentGuard.Proxy;

/// <summary>
/// Step 2 of the flow: reads an inspected request's body (within the size limit, its
/// Content-Encoding undone), decodes its JSON-RPC messages, and checks the MCP headers that
/// restate them. What cannot be read is a rejection, never a request forwarded unseen.
/// </summary>
internal static class McpRequestReader
{
    private const string ParamHeaderPrefix = "Mcp-Param-";

    /// <summary>The body and its messages, or why the request cannot be decided; the caller owns (disposes) what is returned.</summary>
    public static async ValueTask<McpRequest> ReadAsync(HttpRequest request, int maxBodyBytes, CancellationToken cancellationToken)
    {
        var (body, bodyError) = await InspectedBody.ReadAsync(request, maxBodyBytes, cancellationToken);
        if (body is null)
        {
            return new McpRequest(null, null, BodyRejection(bodyError));
        }

        McpExchange? exchange = null;
        try
        {
            exchange = McpDecoder.Decode(body.Json);
            if (exchange.Error != McpDecodeError.None)
            {
                var code = exchange.Error == McpDecodeError.ParseError ? McpReplies.ParseErrorCode : McpReplies.InvalidRequestCode;
                return new McpRequest(body, exchange, new Rejection(StatusCodes.Status400BadRequest, code, exchange.ErrorDetail!, "malformed"));
            }

            var mismatch = CheckHeaders(request.Headers, exchange);
            if (mismatch is not null)
            {
                return new McpRequest(body, exchange, new Rejection(StatusCodes.Status400BadRequest, McpHeaderCheck.HeaderMismatchCode, mismatch, "header-mismatch"));
            }

            return new McpRequest(body, exchange, null);
        }
        catch
        {
            exchange?.Dispose();
            body.Dispose();
            throw;
        }
    }

    private static Rejection BodyRejection(BodyError error) => error switch
    {
        BodyError.TooLarge => new(StatusCodes.Status413PayloadTooLarge, McpReplies.InvalidRequestCode, "request body is larger than the inspection limit", "too-large"),
        BodyError.UnsupportedEncoding => new(StatusCodes.Status415UnsupportedMediaType, McpReplies.InvalidRequestCode, "Content-Encoding is not supported; use gzip, deflate, br or none", "unsupported-encoding"),
        BodyError.CorruptEncoding => new(StatusCodes.Status400BadRequest, McpReplies.ParseErrorCode, "body does not decode with its Content-Encoding", "corrupt-encoding"),
        _ => new(StatusCodes.Status415UnsupportedMediaType, McpReplies.InvalidRequestCode, "Content-Type must be application/json, in UTF-8", "unsupported-media-type"),
    };

    private static string? CheckHeaders(IHeaderDictionary headers, McpExchange exchange)
    {
        var method = headers.TryGetValue("Mcp-Method", out var m) ? m.ToString() : null;
        var name = headers.TryGetValue("Mcp-Name", out var n) ? n.ToString() : null;
        List<(string, string)>? parameters = null;

        // Copied out, not enumerated: Kestrel lends each request one enumerator of its headers without
        // allocating, and YARP takes it to forward them; enumerating here too cost a boxed enumerator
        // per request (seen in an allocation profile under load).
        var count = headers.Count;
        var all = ArrayPool<KeyValuePair<string, StringValues>>.Shared.Rent(count);
        try
        {
            headers.CopyTo(all, 0);
            for (var i = 0; i < count; i++)
            {
                var (key, value) = all[i];
                if (key.Length >= ParamHeaderPrefix.Length && (key[0] | 0x20) == 'm' && key.StartsWith(ParamHeaderPrefix, StringComparison.OrdinalIgnoreCase))
                {
                    (parameters ??= []).Add((key[ParamHeaderPrefix.Length..], value.ToString()));
                }
            }
        }
        finally
        {
            ArrayPool<KeyValuePair<string, StringValues>>.Shared.Return(all, clearArray: true);
        }

        return McpHeaderCheck.Check(exchange, method, name, parameters ?? (IReadOnlyList<(string, string)>)[]);
    }

    /// <summary>Why a request cannot be decided: the HTTP status, the JSON-RPC code and message for the agent, and the reason for metrics and the audit log.</summary>
    internal sealed record Rejection(int Status, int Code, string Message, string Reason);

    /// <summary>A read request: its body and messages (when it got that far), and the rejection when it cannot be decided.</summary>
    internal readonly record struct McpRequest(InspectedBody? Body, McpExchange? Exchange, Rejection? Rejection) : IDisposable
    {
        public void Dispose()
        {
            Exchange?.Dispose();
            Body?.Dispose();
        }
    }
}
