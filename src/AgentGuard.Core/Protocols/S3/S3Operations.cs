namespace AgentGuard.Protocols.S3;

/// <summary>The names of the S3 API operations the guard treats specially (<see cref="S3Operation.Name"/>).</summary>
public static class S3Operations
{
#pragma warning disable CS1591 // The names are S3's own API operation names.
    public const string ListBuckets = "ListBuckets";
    public const string ListObjects = "ListObjects";
    public const string ListObjectsV2 = "ListObjectsV2";
    public const string GetObject = "GetObject";
    public const string HeadObject = "HeadObject";
    public const string PutObject = "PutObject";
    public const string CopyObject = "CopyObject";
    public const string CreateMultipartUpload = "CreateMultipartUpload";
    public const string UploadPart = "UploadPart";
    public const string UploadPartCopy = "UploadPartCopy";
    public const string CompleteMultipartUpload = "CompleteMultipartUpload";
    public const string AbortMultipartUpload = "AbortMultipartUpload";
    public const string DeleteObject = "DeleteObject";
    public const string DeleteObjects = "DeleteObjects";
    public const string PutObjectTagging = "PutObjectTagging";
    public const string DeleteObjectTagging = "DeleteObjectTagging";
    public const string CreateBucket = "CreateBucket";
    public const string DeleteBucket = "DeleteBucket";
    public const string PutBucketLifecycleConfiguration = "PutBucketLifecycleConfiguration";
    public const string PutBucketVersioning = "PutBucketVersioning";
    public const string PutBucketReplication = "PutBucketReplication";
#pragma warning restore CS1591

    /// <summary>Every name above: the S3 operations that are their own <c>tool</c> label in the guard's metrics.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        ListBuckets, ListObjects, ListObjectsV2, GetObject, HeadObject, PutObject, CopyObject, CreateMultipartUpload,
        UploadPart, UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload, DeleteObject, DeleteObjects,
        PutObjectTagging, DeleteObjectTagging, CreateBucket, DeleteBucket, PutBucketLifecycleConfiguration,
        PutBucketVersioning, PutBucketReplication,
    ];
}
