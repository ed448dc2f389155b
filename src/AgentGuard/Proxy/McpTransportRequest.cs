using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace AgentGuard.Proxy;

/// <summary>
/// The requests other than POST that MCP's Streamable HTTP transport makes, and that an MCP route
/// therefore forwards unread: GET to open the server's event stream and DELETE to end a session.
/// Anything else on an MCP route (another method, a GET that does not ask for an event stream, a
/// DELETE without a session, either with a body) is not MCP, and would reach whatever else the
/// tool server speaks unseen: a REST store behind the same route deletes weights on a bare DELETE.
/// </summary>
internal static class McpTransportRequest
{
    /// <summary>The methods an MCP endpoint answers, for the <c>Allow</c> header of a 405.</summary>
    public const string AllowedMethods = "GET, POST, DELETE";

    private const string SessionHeader = "Mcp-Session-Id";

    /// <summary>
    /// Whether the request of <paramref name="context"/> is the transport's GET (with <c>Accept: text/event-stream</c>)
    /// or DELETE (with a non-empty <c>Mcp-Session-Id</c>), without a body.
    /// </summary>
    public static bool IsStreamOrSessionEnd(HttpContext context)
    {
        var request = context.Request;
        var isGet = HttpMethods.IsGet(request.Method);
        if (!isGet && !HttpMethods.IsDelete(request.Method))
        {
            return false;
        }

        // Neither carries a message; a body would be forwarded unread.
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? request.ContentLength > 0)
        {
            return false;
        }

        return isGet ? AcceptsEventStream(request.Headers.Accept) : request.Headers[SessionHeader].ToString().Trim().Length > 0;
    }

    // MCP: "The client MUST include an Accept header, listing text/event-stream as a supported content type."
    private static bool AcceptsEventStream(StringValues accept)
    {
        if (accept.Count == 0 || !MediaTypeHeaderValue.TryParseList(accept, out var types))
        {
            return false;
        }

        foreach (var type in types)
        {
            if (type.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase) && type.Quality is not 0)
            {
                return true;
            }
        }

        return false;
    }
}
