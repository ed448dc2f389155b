using AgentGuard.Effects;

namespace AgentGuard.Protocols.S3;

/// <summary>
/// Turns S3 API requests (path-style and virtual-hosted) into the canonical effects the MCP tools
/// produce, on resources <c>s3://bucket/key</c>. Never throws, whatever the input: a request it
/// cannot understand gets an error, and the proxy denies it.
/// </summary>
public static class S3Decoder
{
    /// <summary>The largest XML document (<see cref="S3BodyUse.Document"/>) read, in bytes.</summary>
    public const int MaxDocumentBytes = 1024 * 1024;

    /// <summary>Decodes <paramref name="request"/> into its operation and the effects known from its line and headers.</summary>
    /// <param name="request">The request.</param>
    /// <param name="endpoint">The service's host names, for telling a virtual-hosted bucket from a path-style one.</param>
    /// <param name="effects">Receives the effects.</param>
    /// <param name="operation">The operation, when the request is understood.</param>
    /// <returns><see langword="null"/> on success, otherwise why the request cannot be understood.</returns>
    public static string? Decode(S3Request request, S3Endpoint endpoint, List<Effect> effects, out S3Operation? operation)
    {
        _ = request;
        _ = endpoint;
        _ = effects;
        operation = null;
        return "S3 decoding is not built yet";
    }

    /// <summary>Adds the effects of an operation's XML document (<see cref="S3BodyUse.Document"/>): every key of a DeleteObjects, a lifecycle rule's expiry, a replication destination.</summary>
    /// <returns><see langword="null"/> on success, otherwise why the document cannot be understood.</returns>
    public static string? DecodeBody(S3Operation operation, ReadOnlySpan<byte> document, List<Effect> effects)
    {
        _ = operation;
        _ = document;
        _ = effects;
        return "S3 decoding is not built yet";
    }
}
