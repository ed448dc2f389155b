using AgentGuard.Effects;

namespace AgentGuard.Protocols.S3;

/// <summary>
/// Turns S3 API requests (path-style and virtual-hosted) into the canonical effects the MCP tools
/// produce, on resources <c>s3://bucket/key</c>. Never throws, whatever the input: a request it
/// cannot understand gets an error, and the proxy denies it.
/// </summary>
/// <remarks>
/// Reads are <see cref="EffectKind.Read"/>; uploads <see cref="EffectKind.Write"/>; a copy is a
/// <see cref="EffectKind.Copy"/> from its source plus a write of its destination; rewritten
/// metadata or tags are <see cref="EffectKind.SetTime"/>; deletes, lifecycle expiry and transition,
/// and suspended versioning are <see cref="EffectKind.Delete"/> (the last two on patterns); bucket
/// configuration changes are writes of <c>s3://bucket/</c>; replication is a copy of the bucket to
/// each destination. An operation the decoder does not know is an error, not an allow.
/// </remarks>
public static class S3Decoder
{
    /// <summary>The largest XML document (<see cref="S3BodyUse.Document"/>) read, in bytes.</summary>
    public const int MaxDocumentBytes = 1024 * 1024;

    // A path longer than a bucket and the longest percent-encoded key cannot name an object.
    private const int MaxPathChars = 64 + S3Names.MaxRawKeyChars + 2;

    /// <summary>Decodes <paramref name="request"/> into its operation and the effects known from its line and headers.</summary>
    /// <param name="request">The request.</param>
    /// <param name="endpoint">The service's host names, for telling a virtual-hosted bucket from a path-style one.</param>
    /// <param name="effects">Receives the effects.</param>
    /// <param name="operation">The operation, when the request is understood.</param>
    /// <returns><see langword="null"/> on success, otherwise why the request cannot be understood.</returns>
    public static string? Decode(S3Request request, S3Endpoint endpoint, List<Effect> effects, out S3Operation? operation)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(effects);

        var count = effects.Count;
        var error = DecodeRequest(request, endpoint, effects, out operation);
        if (error is not null)
        {
            // Nothing half-decoded is left behind for a caller that decides anyway.
            effects.RemoveRange(count, effects.Count - count);
            operation = null;
        }

        return error;
    }

    /// <summary>Adds the effects of an operation's XML document (<see cref="S3BodyUse.Document"/>): every key of a DeleteObjects, a lifecycle rule's expiry, a replication destination.</summary>
    /// <returns><see langword="null"/> on success, otherwise why the document cannot be understood.</returns>
    public static string? DecodeBody(S3Operation operation, ReadOnlySpan<byte> document, List<Effect> effects)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(effects);

        if (operation.Body != S3BodyUse.Document || operation.Bucket is null)
        {
            return $"{operation.Name} has no document to decode";
        }

        if (document.Length > MaxDocumentBytes)
        {
            return $"{operation.Name} document is larger than {MaxDocumentBytes} bytes";
        }

        var count = effects.Count;
        var error = operation.Name switch
        {
            S3Operations.DeleteObjects => S3Documents.DeleteObjects(operation.Bucket, document, effects),
            S3Operations.PutBucketLifecycleConfiguration => S3Documents.Lifecycle(operation.Bucket, document, effects),
            S3Operations.PutBucketVersioning => S3Documents.Versioning(operation.Bucket, document, effects),
            S3Operations.PutBucketReplication => S3Documents.Replication(operation.Bucket, document, effects),
            _ => $"{operation.Name} has no document to decode",
        };

        if (error is not null)
        {
            effects.RemoveRange(count, effects.Count - count);
        }

        return error;
    }

    private static string? DecodeRequest(S3Request request, S3Endpoint endpoint, List<Effect> effects, out S3Operation? operation)
    {
        operation = null;
        var method = request.Method ?? string.Empty;
        if (method is not ("GET" or "HEAD" or "PUT" or "POST" or "DELETE"))
        {
            return "S3 has no operation for HTTP method " + (method.Length <= 16 ? method : method[..16]);
        }

        var error = endpoint.ResolveHost(request.Host ?? string.Empty, out var bucket);
        if (error is not null)
        {
            return error;
        }

        var path = request.Path ?? string.Empty;
        if (path.Length == 0 || path[0] != '/')
        {
            return "S3 request path must start with '/'";
        }

        if (path.Length > MaxPathChars)
        {
            return "S3 request path is too long to name an object";
        }

        if (path.AsSpan().IndexOfAny('?', '#') >= 0)
        {
            return "S3 request path holds '?' or '#'";
        }

        ReadOnlySpan<char> keyRaw;
        if (bucket is not null)
        {
            keyRaw = path.AsSpan(1);
        }
        else
        {
            var rest = path.AsSpan(1);
            var slash = rest.IndexOf('/');
            var bucketRaw = slash < 0 ? rest : rest[..slash];
            keyRaw = slash < 0 ? [] : rest[(slash + 1)..];
            if (!bucketRaw.IsEmpty)
            {
                bucket = S3Names.DecodeBucket(bucketRaw, out error);
                if (bucket is null)
                {
                    return error;
                }
            }
            else if (!keyRaw.IsEmpty)
            {
                return "S3 request path has an empty bucket name";
            }
        }

        string? key = null;
        if (!keyRaw.IsEmpty)
        {
            key = S3Names.DecodeKey(keyRaw, percentEncoded: true, out error);
            if (key is null)
            {
                return error;
            }
        }

        error = S3Query.Parse(request.Query ?? string.Empty, out var query);
        if (error is not null)
        {
            return error;
        }

        if (bucket is null)
        {
            return DecodeService(method, query, effects, out operation);
        }

        return key is null
            ? S3BucketOperations.Decode(method, bucket, query, effects, out operation)
            : S3ObjectOperations.Decode(method, bucket, key, query, request.Header ?? NoHeaders, effects, out operation);
    }

    private static string? NoHeaders(string name) => null;

    private static string? DecodeService(string method, S3Query query, List<Effect> effects, out S3Operation? operation)
    {
        operation = null;
        if (method != "GET" || (query.SubResources & ~S3SubResource.None) != 0)
        {
            return "unknown service-level S3 operation";
        }

        operation = new S3Operation(S3Operations.ListBuckets, null, null, S3BodyUse.None);
        effects.Add(new Effect(EffectKind.Read, "s3://"));
        return null;
    }
}
