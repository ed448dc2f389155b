using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Transforms;

namespace AgentGuard.Proxy;

/// <summary>
/// Forwards an S3 request's path and query exactly as the agent sent them. YARP rebuilds the
/// destination URI from the decoded path, which re-encodes it (<c>%2B</c> becomes <c>+</c>) and
/// drops dot segments (Kestrel resolves <c>a/../b</c> to <c>b</c>): either breaks the SigV4
/// signature, and the second would send the store another object than the one decided on
/// (S3 keys are opaque: <c>a/../b</c> is its own object).
/// </summary>
internal static class S3RawTargetTransform
{
    private static readonly UriCreationOptions AsSent = new() { DangerousDisablePathAndQueryCanonicalization = true };

    public static ValueTask ApplyAsync(RequestTransformContext context)
    {
        // Origin-form only ("/bucket/key?query"); any other form keeps YARP's own address.
        var target = context.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (target is { Length: > 0 } && target[0] == '/')
        {
            var prefix = context.DestinationPrefix;
            context.ProxyRequest.RequestUri = new Uri(prefix.EndsWith('/') ? prefix[..^1] + target : prefix + target, AsSent);
        }

        return default;
    }
}
