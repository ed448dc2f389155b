using System.Text;

namespace AgentGuard.Protocols.S3;

/// <summary>
/// The object a CopyObject or UploadPartCopy reads, from its <c>x-amz-copy-source</c> header:
/// <c>bucket/key</c> or <c>/bucket/key</c>, URL-encoded, with an optional <c>?versionId=</c>; or an
/// access point's ARN (<c>arn:aws:s3:region:account:accesspoint/name/object/key</c>), whose bucket
/// is not known, so its resource is a pattern over every bucket.
/// </summary>
/// <param name="Resource">The source's resource, <c>s3://bucket/key</c>, or a pattern for an access point.</param>
/// <param name="Bucket">The source bucket, or <see langword="null"/> for an access point.</param>
/// <param name="Key">The source key.</param>
/// <param name="VersionId">The source version, or <see langword="null"/>.</param>
internal sealed record S3CopySource(string Resource, string? Bucket, string Key, string? VersionId)
{
    /// <summary>Whether <see cref="Resource"/> is a pattern.</summary>
    public bool IsPattern => Bucket is null;

    /// <summary>Parses an <c>x-amz-copy-source</c> header.</summary>
    /// <returns><see langword="null"/> on success, otherwise why the header is refused.</returns>
    public static string? Parse(string header, out S3CopySource? source)
    {
        source = null;
        var raw = header.AsSpan().Trim();

        // Split before decoding: a '?' in the key itself arrives encoded as %3F.
        string? versionId = null;
        var question = raw.IndexOf('?');
        if (question >= 0)
        {
            var query = raw[(question + 1)..];
            raw = raw[..question];
            if (!query.StartsWith("versionId=", StringComparison.Ordinal))
            {
                return "x-amz-copy-source may carry only '?versionId='";
            }

            versionId = S3Names.DecodeComponent(query["versionId=".Length..], out var versionError);
            if (versionId is null || versionId.Length == 0)
            {
                return "x-amz-copy-source versionId: " + (versionError ?? "empty");
            }
        }

        // S3 URL-decodes the value whole, then splits it at the first '/': a bucket holds none, so
        // 'bucket%2Fkey' is the same source as 'bucket/key'.
        var decoded = S3Names.DecodeComponent(raw, out var error);
        if (decoded is null)
        {
            return "x-amz-copy-source: " + error;
        }

        if (decoded.StartsWith('/'))
        {
            decoded = decoded[1..];
        }

        if (decoded.StartsWith("arn:", StringComparison.Ordinal))
        {
            const string ObjectMarker = "/object/";
            var marker = decoded.IndexOf(ObjectMarker, StringComparison.Ordinal);
            if (marker < 0 || !decoded.Contains(":accesspoint/", StringComparison.Ordinal) || marker + ObjectMarker.Length == decoded.Length)
            {
                return "x-amz-copy-source ARN is not an access point's object";
            }

            var arnKey = decoded[(marker + ObjectMarker.Length)..];
            var pattern = new StringBuilder("s3://*/", arnKey.Length + 8);
            S3Names.AppendEscaped(pattern, arnKey);
            source = new S3CopySource(pattern.ToString(), null, arnKey, versionId);
            return null;
        }

        var slash = decoded.IndexOf('/');
        if (slash <= 0)
        {
            return "x-amz-copy-source must be 'bucket/key'";
        }

        var bucket = decoded[..slash];
        if ((error = S3Names.ValidateBucket(bucket)) is not null)
        {
            return "x-amz-copy-source: " + error;
        }

        var key = S3Names.ValidateKey(decoded[(slash + 1)..], out error);
        if (key is null)
        {
            return "x-amz-copy-source: " + error;
        }

        source = new S3CopySource(S3Names.Object(bucket, key), bucket, key, versionId);
        return null;
    }
}
