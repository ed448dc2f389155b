namespace AgentGuard.Protocols.S3;

/// <summary>
/// The host names an S3 service answers on. A request whose <c>Host</c> is <c>bucket.</c> one of
/// them is virtual-hosted (the bucket is in the host name); any other is path-style (<c>/bucket/key</c>).
/// </summary>
/// <param name="ServiceHosts">The service's own host names, e.g. <c>s3.amazonaws.com</c>, <c>minio.internal</c> (ports ignored).</param>
public sealed record S3Endpoint(IReadOnlyList<string> ServiceHosts)
{
    /// <summary>AWS's global and regional endpoints and <c>localhost</c>.</summary>
    public static S3Endpoint Default { get; } = new(["s3.amazonaws.com", "localhost"]);
}
