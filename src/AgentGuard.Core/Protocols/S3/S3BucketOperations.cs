using AgentGuard.Effects;

namespace AgentGuard.Protocols.S3;

/// <summary>Bucket-level S3 operations (<c>/bucket</c>, <c>bucket.host/</c>): listings, configuration, DeleteObjects, DeleteBucket.</summary>
internal static class S3BucketOperations
{
    // The configuration sub-resources, with the name S3 gives their Get/Put/Delete operations.
    private static readonly (S3SubResource SubResource, string Name, bool CanPut, bool CanDelete)[] Configurations =
    [
        (S3SubResource.Acl, "BucketAcl", true, false),
        (S3SubResource.Policy, "BucketPolicy", true, true),
        (S3SubResource.PolicyStatus, "BucketPolicyStatus", false, false),
        (S3SubResource.Lifecycle, "BucketLifecycleConfiguration", true, true),
        (S3SubResource.Replication, "BucketReplication", true, true),
        (S3SubResource.Versioning, "BucketVersioning", true, false),
        (S3SubResource.Tagging, "BucketTagging", true, true),
        (S3SubResource.Cors, "BucketCors", true, true),
        (S3SubResource.Encryption, "BucketEncryption", true, true),
        (S3SubResource.Logging, "BucketLogging", true, false),
        (S3SubResource.Notification, "BucketNotificationConfiguration", true, false),
        (S3SubResource.Website, "BucketWebsite", true, true),
        (S3SubResource.Accelerate, "BucketAccelerateConfiguration", true, false),
        (S3SubResource.RequestPayment, "BucketRequestPayment", true, false),
        (S3SubResource.ObjectLock, "ObjectLockConfiguration", true, false),
        (S3SubResource.OwnershipControls, "BucketOwnershipControls", true, true),
        (S3SubResource.PublicAccessBlock, "PublicAccessBlock", true, true),
        (S3SubResource.Analytics, "BucketAnalyticsConfiguration", true, true),
        (S3SubResource.Metrics, "BucketMetricsConfiguration", true, true),
        (S3SubResource.Inventory, "BucketInventoryConfiguration", true, true),
        (S3SubResource.IntelligentTiering, "BucketIntelligentTieringConfiguration", true, true),
        (S3SubResource.Location, "BucketLocation", false, false),
    ];

    public static string? Decode(string method, string bucket, S3Query query, List<Effect> effects, out S3Operation? operation)
    {
        operation = null;
        var sub = query.SubResources;
        var resource = S3Names.Bucket(bucket);

        if (sub == S3SubResource.None || sub == S3SubResource.ListType)
        {
            string name;
            var kind = EffectKind.Read;
            switch (method)
            {
                case "GET" when sub == S3SubResource.ListType:
                    if (query.ListType != "2")
                    {
                        return "list-type must be 2";
                    }

                    name = S3Operations.ListObjectsV2;
                    break;
                case "GET":
                    name = S3Operations.ListObjects;
                    break;
                case "HEAD" when sub == S3SubResource.None:
                    name = "HeadBucket";
                    break;
                case "PUT" when sub == S3SubResource.None:
                    name = S3Operations.CreateBucket;
                    kind = EffectKind.Write;
                    break;
                case "DELETE" when sub == S3SubResource.None:
                    name = S3Operations.DeleteBucket;
                    kind = EffectKind.Delete;
                    break;
                default:
                    return Unknown(method);
            }

            operation = new S3Operation(name, bucket, null, S3BodyUse.None);
            effects.Add(new Effect(kind, resource));
            return null;
        }

        if ((sub & (sub - 1)) != 0)
        {
            return "S3 query names more than one bucket operation";
        }

        var (opName, opKind, body) = Classify(method, sub);
        if (opName is null)
        {
            return Unknown(method);
        }

        operation = new S3Operation(opName, bucket, null, body);
        if (opKind is { } effectKind)
        {
            effects.Add(new Effect(effectKind, resource));
        }

        return null;
    }

    private static (string? Name, EffectKind? Kind, S3BodyUse Body) Classify(string method, S3SubResource sub)
    {
        switch (method, sub)
        {
            case ("GET", S3SubResource.Uploads):
                return ("ListMultipartUploads", EffectKind.Read, S3BodyUse.None);
            case ("GET", S3SubResource.Versions):
                return ("ListObjectVersions", EffectKind.Read, S3BodyUse.None);
            case ("GET", S3SubResource.Session):
                return ("CreateSession", EffectKind.Read, S3BodyUse.None);
            case ("POST", S3SubResource.Delete):
                // Every key is in the document: nothing is known before it is read.
                return (S3Operations.DeleteObjects, null, S3BodyUse.Document);
        }

        foreach (var (subResource, suffix, canPut, canDelete) in Configurations)
        {
            if (subResource != sub)
            {
                continue;
            }

            switch (method)
            {
                case "GET":
                    return ("Get" + suffix, EffectKind.Read, S3BodyUse.None);
                case "PUT" when canPut:
                    // Policy, ACL, lifecycle, replication, versioning: a change to the bucket's rules is
                    // a write of the bucket (tampering with a weights bucket). Lifecycle, versioning
                    // and replication documents then say what else the change does.
                    if (sub == S3SubResource.Replication)
                    {
                        // Only the document's copies: an exact write of the bucket would outrank them
                        // (an exact match beats a pattern's) and name the finding tampering, not exfiltration.
                        return ("Put" + suffix, null, S3BodyUse.Document);
                    }

                    var document = sub is S3SubResource.Lifecycle or S3SubResource.Versioning;
                    return ("Put" + suffix, EffectKind.Write, document ? S3BodyUse.Document : S3BodyUse.None);
                case "DELETE" when canDelete:
                    // S3 names this one without "Configuration", unlike its Get and Put.
                    return (sub == S3SubResource.Lifecycle ? "DeleteBucketLifecycle" : "Delete" + suffix, EffectKind.Write, S3BodyUse.None);
                default:
                    return (null, null, S3BodyUse.None);
            }
        }

        return (null, null, S3BodyUse.None);
    }

    private static string Unknown(string method) => $"unknown S3 bucket operation ({method} with this query)";
}
