using AgentGuard.Effects;

namespace AgentGuard.Protocols.S3;

/// <summary>Object-level S3 operations (<c>/bucket/key</c>, <c>bucket.host/key</c>): reads, uploads, copies, tags, deletes.</summary>
internal static class S3ObjectOperations
{
    private const string CopySourceHeader = "x-amz-copy-source";
    private const string MetadataDirectiveHeader = "x-amz-metadata-directive";
    private const string TaggingDirectiveHeader = "x-amz-tagging-directive";

    // Headers that set an uploaded object's tags or the times tools keep in its metadata (rclone and
    // s3fs: mtime; s3cmd: s3cmd-attrs): an upload carrying them gives the object a chosen age.
    private static readonly string[] TimeOrTagHeaders =
    [
        "x-amz-tagging", "x-amz-meta-mtime", "x-amz-meta-ctime", "x-amz-meta-atime", "x-amz-meta-s3cmd-attrs",
        "x-amz-meta-last-modified", "x-amz-meta-timestamp",
    ];

    public static string? Decode(string method, string bucket, string key, S3Query query, Func<string, string?> header, List<Effect> effects, out S3Operation? operation)
    {
        operation = null;

        // A version narrows any of them to one version of the object; it never changes the operation.
        var sub = query.SubResources & ~S3SubResource.VersionId;
        var versioned = query.Has(S3SubResource.VersionId);
        var resource = S3Names.Object(bucket, key);
        string name;
        var kind = EffectKind.Read;
        string? value = null;

        switch (method, sub)
        {
            case ("GET", S3SubResource.None or S3SubResource.PartNumber):
                name = S3Operations.GetObject;
                break;
            case ("HEAD", S3SubResource.None or S3SubResource.PartNumber):
                name = S3Operations.HeadObject;
                break;
            case ("GET", S3SubResource.Acl):
                name = "GetObjectAcl";
                break;
            case ("GET", S3SubResource.Tagging):
                name = "GetObjectTagging";
                break;
            case ("GET", S3SubResource.Retention):
                name = "GetObjectRetention";
                break;
            case ("GET", S3SubResource.LegalHold):
                name = "GetObjectLegalHold";
                break;
            case ("GET", S3SubResource.Attributes):
                name = "GetObjectAttributes";
                break;
            case ("GET", S3SubResource.Torrent) when !versioned:
                name = "GetObjectTorrent";
                break;
            case ("GET", S3SubResource.UploadId) when !versioned:
                name = "ListParts";
                break;
            case ("POST", S3SubResource.Restore):
                // A temporary readable copy of an archived object: the object itself is unchanged.
                name = "RestoreObject";
                break;
            case ("POST", S3SubResource.Select) when !versioned:
                name = "SelectObjectContent";
                break;
            case ("PUT", S3SubResource.None) when !versioned:
                return header(CopySourceHeader) is { } copySource
                    ? DecodeCopy(S3Operations.CopyObject, bucket, key, copySource, header, effects, out operation)
                    : Upload(S3Operations.PutObject, S3BodyUse.Content, bucket, key, resource, header, effects, out operation);
            case ("PUT", S3SubResource.UploadId | S3SubResource.PartNumber) when !versioned:
                return header(CopySourceHeader) is { } partSource
                    ? DecodeCopy(S3Operations.UploadPartCopy, bucket, key, partSource, header, effects, out operation)
                    : Upload(S3Operations.UploadPart, S3BodyUse.Content, bucket, key, resource, header, effects, out operation);
            case ("POST", S3SubResource.Uploads) when !versioned:
                return Upload(S3Operations.CreateMultipartUpload, S3BodyUse.None, bucket, key, resource, header, effects, out operation);
            case ("POST", S3SubResource.UploadId) when !versioned:
                name = S3Operations.CompleteMultipartUpload;
                kind = EffectKind.Write;
                break;
            case ("DELETE", S3SubResource.UploadId) when !versioned:
                // Abandons an upload to this key: part of writing it.
                name = S3Operations.AbortMultipartUpload;
                kind = EffectKind.Write;
                break;
            case ("PUT", S3SubResource.Tagging):
                // A rewritten tag is a rewritten fact about the object (its age, its class): tampering, as a re-timestamp is.
                name = S3Operations.PutObjectTagging;
                kind = EffectKind.SetTime;
                break;
            case ("DELETE", S3SubResource.Tagging):
                name = S3Operations.DeleteObjectTagging;
                kind = EffectKind.SetTime;
                break;
            case ("PUT", S3SubResource.Acl):
                name = "PutObjectAcl";
                kind = EffectKind.Write;
                break;
            case ("PUT", S3SubResource.Retention):
                name = "PutObjectRetention";
                kind = EffectKind.Write;
                break;
            case ("PUT", S3SubResource.LegalHold):
                name = "PutObjectLegalHold";
                kind = EffectKind.Write;
                break;
            case ("DELETE", S3SubResource.None):
                name = S3Operations.DeleteObject;
                kind = EffectKind.Delete;
                value = versioned ? "versionId=" + query.VersionId : null;
                break;
            default:
                return $"unknown S3 object operation ({method} with this query)";
        }

        operation = new S3Operation(name, bucket, key, S3BodyUse.None);
        effects.Add(new Effect(kind, resource, Value: value));
        return null;
    }

    private static string? Upload(string name, S3BodyUse body, string bucket, string key, string resource, Func<string, string?> header, List<Effect> effects, out S3Operation? operation)
    {
        // Content is sniffed by the proxy (S3BodyUse.Content); the write itself is known now.
        operation = new S3Operation(name, bucket, key, body);
        effects.Add(new Effect(EffectKind.Write, resource));
        foreach (var timeOrTag in TimeOrTagHeaders)
        {
            if (header(timeOrTag) is not null)
            {
                effects.Add(new Effect(EffectKind.SetTime, resource));
                break;
            }
        }

        return null;
    }

    private static string? DecodeCopy(string name, string bucket, string key, string copySource, Func<string, string?> header, List<Effect> effects, out S3Operation? operation)
    {
        operation = null;
        var error = S3CopySource.Parse(copySource, out var source);
        if (error is not null)
        {
            return error;
        }

        var replacesMetadata = false;
        if (name == S3Operations.CopyObject)
        {
            if ((error = ReadDirective(header, MetadataDirectiveHeader, out var replaceMetadata)) is not null
                || (error = ReadDirective(header, TaggingDirectiveHeader, out var replaceTags)) is not null)
            {
                return error;
            }

            replacesMetadata = replaceMetadata || replaceTags;
        }

        var destination = S3Names.Object(bucket, key);
        var flags = source!.IsPattern ? EffectFlags.ResourcePattern : EffectFlags.None;
        var version = source.VersionId is null ? null : "versionId=" + source.VersionId;
        operation = new S3Operation(name, bucket, key, S3BodyUse.None);
        effects.Add(new Effect(EffectKind.Copy, source.Resource, destination, version, flags));

        // Copying onto a protected object overwrites it: the same as writing it (as EffectExtractor has it).
        effects.Add(new Effect(EffectKind.Write, destination));

        // A copy onto itself exists only to rewrite the object's metadata and times; REPLACE rewrites
        // them on any copy.
        if (replacesMetadata || (source.Bucket == bucket && source.Key == key))
        {
            effects.Add(new Effect(EffectKind.SetTime, destination));
        }

        return null;
    }

    private static string? ReadDirective(Func<string, string?> header, string name, out bool replace)
    {
        replace = false;
        var value = header(name)?.Trim();
        if (value is null || value.Equals("COPY", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (value.Equals("REPLACE", StringComparison.OrdinalIgnoreCase))
        {
            replace = true;
            return null;
        }

        return $"{name} must be COPY or REPLACE";
    }
}
