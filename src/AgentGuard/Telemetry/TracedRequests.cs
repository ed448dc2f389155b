namespace AgentGuard.Telemetry;

/// <summary>
/// Which server requests get a span. ASP.NET Core's instrumentation listens to every Kestrel
/// server in the process, and the admin plane's is one of them: Prometheus scraping
/// <c>/metrics</c> every few seconds would bury the agents' calls in the trace backend.
/// </summary>
internal sealed class TracedRequests
{
    private volatile int _adminPort;

    /// <summary>Sets the admin plane's port once it is bound; its requests are not traced from then on.</summary>
    public void ExcludeAdminPort(int port) => _adminPort = port;

    /// <summary>Whether <paramref name="context"/> is traced: any request not on the admin plane.</summary>
    public bool IsTraced(HttpContext context) => context.Connection.LocalPort != _adminPort;
}
