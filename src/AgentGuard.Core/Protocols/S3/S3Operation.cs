namespace AgentGuard.Protocols.S3;

/// <summary>An S3 request as the guard understands it: the API operation, its bucket and key, and what the proxy must still read.</summary>
/// <param name="Name">The S3 API operation, e.g. <c>PutObject</c>, <c>CopyObject</c>, <c>DeleteObjects</c>.</param>
/// <param name="Bucket">The bucket, or <see langword="null"/> for service-level calls (ListBuckets).</param>
/// <param name="Key">The object key (percent-decoded, NFC, never dot-segment resolved), or <see langword="null"/>.</param>
/// <param name="Body">What the proxy must do with the body before deciding.</param>
public sealed record S3Operation(string Name, string? Bucket, string? Key, S3BodyUse Body);

/// <summary>Whether an S3 request's body matters to its decision.</summary>
public enum S3BodyUse
{
    /// <summary>The body is not read (GET, HEAD, most requests).</summary>
    None,

    /// <summary>The body is object content (PutObject, UploadPart): its first bytes are sniffed for model formats, and it streams on.</summary>
    Content,

    /// <summary>The body is a small XML document the decision depends on (DeleteObjects, lifecycle, replication, policy, versioning): read whole, within a bound, and passed to <see cref="S3Decoder.DecodeBody"/>.</summary>
    Document,
}
