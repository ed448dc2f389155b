using System.Collections.Frozen;

namespace AgentGuard.Protocols.S3;

/// <summary>
/// An S3 request's query: which sub-resources it names and the values the decision needs. Every
/// parameter must be known (a sub-resource, a listing or response option, a presigned URL's
/// signature): S3 may act on one the guard does not know, so an unknown one is an error.
/// </summary>
internal sealed class S3Query
{
    /// <summary>A query of no parameters.</summary>
    public static readonly S3Query Empty = new();

    private static readonly FrozenDictionary<string, S3SubResource> Parameters = new Dictionary<string, S3SubResource>(StringComparer.Ordinal)
    {
        ["acl"] = S3SubResource.Acl,
        ["analytics"] = S3SubResource.Analytics,
        ["attributes"] = S3SubResource.Attributes,
        ["cors"] = S3SubResource.Cors,
        ["delete"] = S3SubResource.Delete,
        ["encryption"] = S3SubResource.Encryption,
        ["intelligent-tiering"] = S3SubResource.IntelligentTiering,
        ["inventory"] = S3SubResource.Inventory,
        ["legal-hold"] = S3SubResource.LegalHold,
        ["lifecycle"] = S3SubResource.Lifecycle,
        ["location"] = S3SubResource.Location,
        ["logging"] = S3SubResource.Logging,
        ["metrics"] = S3SubResource.Metrics,
        ["notification"] = S3SubResource.Notification,
        ["object-lock"] = S3SubResource.ObjectLock,
        ["ownershipControls"] = S3SubResource.OwnershipControls,
        ["policy"] = S3SubResource.Policy,
        ["policyStatus"] = S3SubResource.PolicyStatus,
        ["publicAccessBlock"] = S3SubResource.PublicAccessBlock,
        ["replication"] = S3SubResource.Replication,
        ["requestPayment"] = S3SubResource.RequestPayment,
        ["restore"] = S3SubResource.Restore,
        ["retention"] = S3SubResource.Retention,
        ["select"] = S3SubResource.Select,
        ["tagging"] = S3SubResource.Tagging,
        ["torrent"] = S3SubResource.Torrent,
        ["uploads"] = S3SubResource.Uploads,
        ["uploadId"] = S3SubResource.UploadId,
        ["partNumber"] = S3SubResource.PartNumber,
        ["versioning"] = S3SubResource.Versioning,
        ["versions"] = S3SubResource.Versions,
        ["versionId"] = S3SubResource.VersionId,
        ["website"] = S3SubResource.Website,
        ["accelerate"] = S3SubResource.Accelerate,
        ["session"] = S3SubResource.Session,
        ["list-type"] = S3SubResource.ListType,

        // Options of listings and reads: they narrow or shape an answer, never change what is done.
        ["prefix"] = S3SubResource.None,
        ["delimiter"] = S3SubResource.None,
        ["max-keys"] = S3SubResource.None,
        ["marker"] = S3SubResource.None,
        ["continuation-token"] = S3SubResource.None,
        ["start-after"] = S3SubResource.None,
        ["fetch-owner"] = S3SubResource.None,
        ["encoding-type"] = S3SubResource.None,
        ["key-marker"] = S3SubResource.None,
        ["version-id-marker"] = S3SubResource.None,
        ["upload-id-marker"] = S3SubResource.None,
        ["max-uploads"] = S3SubResource.None,
        ["max-parts"] = S3SubResource.None,
        ["part-number-marker"] = S3SubResource.None,
        ["max-buckets"] = S3SubResource.None,
        ["bucket-region"] = S3SubResource.None,
        ["response-content-type"] = S3SubResource.None,
        ["response-content-language"] = S3SubResource.None,
        ["response-expires"] = S3SubResource.None,
        ["response-cache-control"] = S3SubResource.None,
        ["response-content-disposition"] = S3SubResource.None,
        ["response-content-encoding"] = S3SubResource.None,
        ["select-type"] = S3SubResource.None,
        ["id"] = S3SubResource.None,

        // The operation name AWS SDKs add (x-id=PutObject): informational, S3 ignores it.
        ["x-id"] = S3SubResource.None,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // A presigned URL's signature (SigV4 and SigV2). Any other x-amz-* parameter is a header hoisted
    // into the query (x-amz-copy-source, x-amz-metadata-directive), which S3 honours: refused, since
    // the decision reads those from headers.
    private static readonly FrozenSet<string> Signature = new[]
    {
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
        "X-Amz-Signature", "X-Amz-Security-Token", "AWSAccessKeyId", "Signature", "Expires",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The sub-resources named.</summary>
    public S3SubResource SubResources { get; private set; }

    /// <summary>The <c>versionId</c> value, or <see langword="null"/>.</summary>
    public string? VersionId { get; private set; }

    /// <summary>The <c>list-type</c> value, or <see langword="null"/>.</summary>
    public string? ListType { get; private set; }

    /// <summary>Whether every sub-resource in <paramref name="subResources"/> is named.</summary>
    public bool Has(S3SubResource subResources) => (SubResources & subResources) == subResources;

    /// <summary>Parses <paramref name="query"/> (with or without its leading <c>?</c>).</summary>
    /// <returns><see langword="null"/> on success, otherwise why the query is refused.</returns>
    public static string? Parse(string query, out S3Query parsed)
    {
        parsed = Empty;
        var rest = query.AsSpan();
        if (rest.StartsWith('?'))
        {
            rest = rest[1..];
        }

        if (rest.IsEmpty)
        {
            return null;
        }

        var result = new S3Query();
        var seenOptions = 0;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf('&');
            var pair = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (pair.IsEmpty)
            {
                continue;
            }

            if (++seenOptions > 64)
            {
                return "query has more than 64 parameters";
            }

            var equals = pair.IndexOf('=');
            var name = S3Names.DecodeComponent(equals < 0 ? pair : pair[..equals], out var error);
            if (name is null)
            {
                return "query parameter: " + error;
            }

            var value = equals < 0 ? string.Empty : S3Names.DecodeComponent(pair[(equals + 1)..], out error);
            if (value is null)
            {
                return $"query parameter '{name}': {error}";
            }

            if (Parameters.TryGetValue(name, out var subResource))
            {
                if ((result.SubResources & subResource) != 0)
                {
                    // Which of two values S3 would use is not for the guard to guess.
                    return $"query parameter '{name}' is repeated";
                }

                result.SubResources |= subResource;
                if (subResource == S3SubResource.VersionId)
                {
                    result.VersionId = value;
                }
                else if (subResource == S3SubResource.ListType)
                {
                    result.ListType = value;
                }
            }
            else if (!Signature.Contains(name))
            {
                return name.Length <= 64 ? $"unknown S3 query parameter '{name}'" : "unknown S3 query parameter";
            }
        }

        parsed = result;
        return null;
    }
}
