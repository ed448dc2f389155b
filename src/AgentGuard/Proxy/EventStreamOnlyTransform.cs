using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace AgentGuard.Proxy;

/// <summary>
/// On an MCP route a GET is forwarded for one thing: to open the server's event stream. MCP
/// requires the server to answer it with <c>text/event-stream</c> or 405; any other successful
/// answer is not MCP (a file from a REST store behind the same route, asked for with the right
/// <c>Accept</c> header) and is not passed on: the agent gets 502 without the body.
/// </summary>
internal static partial class EventStreamOnlyTransform
{
    public static ValueTask ApplyAsync(ResponseTransformContext context)
    {
        var http = context.HttpContext;
        if (!HttpMethods.IsGet(http.Request.Method) || context.ProxyResponse is not { } upstream)
        {
            return default;
        }

        var status = (int)upstream.StatusCode;
        if (status is < 200 or >= 300
            || string.Equals(upstream.Content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase)
            || !RouteInspection.IsMcp(http.GetReverseProxyFeature().Route.Config))
        {
            return default;
        }

        context.SuppressResponseBody = true;
        http.Response.Headers.Clear();
        http.Response.StatusCode = StatusCodes.Status502BadGateway;
        Log.NotAnEventStream(
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EventStreamOnlyTransform).FullName!),
            status,
            upstream.Content.Headers.ContentType?.MediaType ?? "none");
        return default;
    }

    private static partial class Log
    {
        [LoggerMessage(1053, LogLevel.Warning, "The tool server answered an MCP event-stream GET with HTTP {Status} {ContentType}, not an event stream; the agent got 502 without the body")]
        public static partial void NotAnEventStream(ILogger logger, int status, string contentType);
    }
}
