using Yarp.ReverseProxy.Forwarder;

namespace AgentGuard.Proxy;

/// <summary>YARP's client to the upstream, with <see cref="ForwardedBodyHandler"/> in front of it.</summary>
internal class GuardHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger) : ForwarderHttpClientFactory(logger)
{
    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler)
        => new ForwardedBodyHandler(base.WrapHandler(context, handler));
}
