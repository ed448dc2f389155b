using Yarp.ReverseProxy.Transforms;

namespace AgentGuard.Proxy;

/// <summary>
/// The whole body an inspected request forwards, which the guard already holds in memory. YARP
/// streams a request body after sending the headers on their own, one more write to the tool
/// server for every call; <see cref="ForwardedBodyHandler"/> sends a body known whole with its
/// headers in one.
/// </summary>
internal sealed class ForwardedBody
{
    public static readonly HttpRequestOptionsKey<ForwardedBody> Option = new("AgentGuard.ForwardedBody");

    private ForwardedBody(byte[] bytes) => Bytes = bytes;

    /// <summary>The body as it goes upstream: owned by this request, never a pooled buffer.</summary>
    public byte[] Bytes { get; }

    /// <summary>Makes <paramref name="bytes"/> the body YARP forwards for this request.</summary>
    public static void Set(HttpContext context, byte[] bytes)
    {
        // Also the request's body stream, so that YARP forwards the same bytes if a request reaches
        // the upstream client without passing the handler.
        context.Request.Body = new MemoryStream(bytes, writable: false);
        context.Features.Set(new ForwardedBody(bytes));
    }

    /// <summary>A request transform of inspected routes: hands the body to the outgoing request.</summary>
    public static ValueTask AttachAsync(RequestTransformContext context)
    {
        if (context.HttpContext.Features.Get<ForwardedBody>() is { } body)
        {
            context.ProxyRequest.Options.Set(Option, body);
        }

        return default;
    }
}
