using AgentGuard.Protocols.S3;

namespace AgentGuard.Proxy;

/// <summary>The <c>AgentGuard:S3</c> section: how requests on <c>AgentGuard.Inspect: s3</c> routes are read.</summary>
public sealed class S3Options
{
    /// <summary>
    /// The S3 service's own host names (ports ignored): a request to <c>bucket.</c> one of them is
    /// virtual-hosted, any other host is path-style (<c>/bucket/key</c>). Default empty, meaning
    /// <see cref="S3Endpoint.Default"/> (<c>s3.amazonaws.com</c> and <c>localhost</c>). Give the host
    /// name the agents' S3 clients are configured with, e.g. <c>minio.internal</c>.
    /// </summary>
    public List<string> ServiceHosts { get; set; } = [];

    /// <summary>The endpoint these options describe.</summary>
    internal S3Endpoint Endpoint() => ServiceHosts.Count == 0 ? S3Endpoint.Default : new S3Endpoint([.. ServiceHosts]);
}
