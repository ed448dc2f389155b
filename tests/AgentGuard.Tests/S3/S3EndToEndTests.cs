using System.Net;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using AgentGuard.Audit;
using AgentGuard.Effects;
using AgentGuard.Policy;
using Xunit.Abstractions;

namespace AgentGuard.S3;

/// <summary>
/// The S3 route against a real S3 server (s3rver) driven by a real S3 client (AWSSDK.S3, SigV4):
/// what is allowed works end to end; what is denied answers 403 AccessDenied with the audit
/// reference and never reaches the store, checked against s3rver directly. s3rver 3.7.1 checks a
/// SigV4 request's access key but not its signature, so <see cref="S3SignatureTests"/> verifies the
/// signatures of what the guard forwards.
/// </summary>
public sealed class S3EndToEndTests(ITestOutputHelper output)
{
    private static readonly byte[] Weights = Encoding.ASCII.GetBytes("not really weights, but in the weights bucket");

    [SkippableFact]
    public async Task PutThenGet_PathStyle_ArrivesWithValidSignatureAndRoundTrips()
    {
        await using var store = await S3rverServer.StartAsync(output, S3TestPolicy.WeightsBucket);
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        using var client = S3TestGuard.Client(guard.DataAddress);

        var put = await client.PutObjectAsync(Put(S3TestPolicy.WeightsBucket, "models/agent_2.bin", Weights));
        using var get = await client.GetObjectAsync(S3TestPolicy.WeightsBucket, "models/agent_2.bin");

        Assert.Equal(HttpStatusCode.OK, put.HttpStatusCode);
        Assert.Equal(Weights, await ReadAllAsync(get.ResponseStream));
        var write = Decided(decisions, "PutObject");
        Assert.Equal(DecisionKind.Allow, write.Decision.Kind);
        Assert.Contains(write.Decision.Effects, e => e.Kind == EffectKind.Write && e.Resource == "s3://weights/models/agent_2.bin");
        Assert.Equal("s3", write.Call.Protocol);
        Assert.Equal(DecisionKind.Allow, Decided(decisions, "GetObject").Decision.Kind);
    }

    [SkippableFact]
    public async Task PutThenGet_VirtualHosted_BucketReadFromHostAndSignatureValid()
    {
        await using var store = await S3rverServer.StartAsync(output, S3TestPolicy.WeightsBucket, S3TestPolicy.ExfilBucket);
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        using var client = S3TestGuard.Client(guard.DataAddress, pathStyle: false);

        await client.PutObjectAsync(Put(S3TestPolicy.WeightsBucket, "agent_2.bin", Weights));
        using var get = await client.GetObjectAsync(S3TestPolicy.WeightsBucket, "agent_2.bin");
        var copy = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.CopyObjectAsync(S3TestPolicy.WeightsBucket, "agent_2.bin", S3TestPolicy.ExfilBucket, "agent_2.bin"));

        Assert.Equal(Weights, await ReadAllAsync(get.ResponseStream));
        Assert.Contains(Decided(decisions, "PutObject").Decision.Effects, e => e.Resource == "s3://weights/agent_2.bin");
        AssertDenied(copy, Decided(decisions, "CopyObject"));
    }

    [SkippableFact]
    public async Task CopyObject_ToApprovedBucket_IsAllowedAndCopied()
    {
        await using var store = await S3rverServer.StartAsync(output, S3TestPolicy.WeightsBucket, S3TestPolicy.BackupBucket);
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        using var client = S3TestGuard.Client(guard.DataAddress, literalCopySourceSlash: true);
        using var direct = S3TestGuard.Client(store.Address);
        await direct.PutObjectAsync(Put(S3TestPolicy.WeightsBucket, "agent_2.bin", Weights));

        await client.CopyObjectAsync(S3TestPolicy.WeightsBucket, "agent_2.bin", S3TestPolicy.BackupBucket, "agent_2.bin");

        using var copied = await direct.GetObjectAsync(S3TestPolicy.BackupBucket, "agent_2.bin");
        Assert.Equal(Weights, await ReadAllAsync(copied.ResponseStream));
        var record = Decided(decisions, "CopyObject");
        Assert.Equal(DecisionKind.Allow, record.Decision.Kind);
        Assert.Contains(record.Decision.Effects, e => e.Kind == EffectKind.Copy && e.Resource == "s3://weights/agent_2.bin" && e.Destination == "s3://weights-backup/agent_2.bin");
    }

    [SkippableFact]
    public async Task CopyObject_OfTheApprovedCopy_IsStillWeights()
    {
        await using var store = await S3rverServer.StartAsync(output, S3TestPolicy.WeightsBucket, S3TestPolicy.BackupBucket, S3TestPolicy.ExfilBucket);
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        using var client = S3TestGuard.Client(guard.DataAddress, literalCopySourceSlash: true);
        using var direct = S3TestGuard.Client(store.Address);
        await direct.PutObjectAsync(Put(S3TestPolicy.WeightsBucket, "agent_2.bin", Weights));

        // The backup bucket is approved, and its objects are not weights by name: the copy there
        // carries the weights' asset to it (lineage), so copying it on is exfiltration too.
        await client.CopyObjectAsync(S3TestPolicy.WeightsBucket, "agent_2.bin", S3TestPolicy.BackupBucket, "q3_notes.bin");
        var backup = Decided(decisions, "CopyObject");
        Assert.Equal("s3://weights-backup/q3_notes.bin", Assert.Single(backup.Decision.Carried!).Resource);

        var denied = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.CopyObjectAsync(S3TestPolicy.BackupBucket, "q3_notes.bin", S3TestPolicy.ExfilBucket, "q3_notes.bin"));

        DecisionRecord record;
        lock (decisions)
        {
            record = decisions.Last(d => d.Call.Method == "CopyObject");
        }

        AssertDenied(denied, record);
        Assert.Equal("s3-weights-exfiltration", record.Decision.RuleId);
        Assert.Equal("s3://weights/agent_2.bin", Assert.Single(record.Decision.Lineage!).Origin);
        await AssertAbsentAsync(direct, S3TestPolicy.ExfilBucket, "q3_notes.bin");
    }

    [SkippableFact]
    public async Task ShippedPolicy_WithATeamsStoresFile_ApprovedCopyFlaggedAndItsCopyOnDenied()
    {
        // The README's worked example: the shipped policy as shipped, and one file extending its assets.
        var stores = Path.Combine(Directory.CreateTempSubdirectory("agentguard-stores-").FullName, "stores.yaml");
        await File.WriteAllTextAsync(stores, """
            assets:
              model-weights:
                extends: true
                resources: ["s3://weights/**"]
              approved-weight-stores:
                extends: true
                resources: ["s3://weights-backup/**"]
            """);
        await using var store = await S3rverServer.StartAsync(output, S3TestPolicy.WeightsBucket, S3TestPolicy.BackupBucket, S3TestPolicy.ExfilBucket);
        await using var guard = await S3TestGuard.StartAsync(output, store.Address, policies: [Infrastructure.TestGuard.ShippedPolicies, stores]);
        var decisions = S3TestGuard.Collect(guard);
        using var client = S3TestGuard.Client(guard.DataAddress, literalCopySourceSlash: true);
        using var direct = S3TestGuard.Client(store.Address);
        await direct.PutObjectAsync(Put(S3TestPolicy.WeightsBucket, "agent_2.bin", Weights));

        await client.CopyObjectAsync(S3TestPolicy.WeightsBucket, "agent_2.bin", S3TestPolicy.BackupBucket, "q3_notes.bin");
        var backup = Decided(decisions, "CopyObject");
        Assert.Equal((DecisionKind.Flag, "weights-backup"), (backup.Decision.Kind, backup.Decision.RuleId));

        var denied = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.CopyObjectAsync(S3TestPolicy.BackupBucket, "q3_notes.bin", S3TestPolicy.ExfilBucket, "q3_notes.bin"));
        DecisionRecord record;
        lock (decisions)
        {
            record = decisions.Last(d => d.Call.Method == "CopyObject");
        }

        AssertDenied(denied, record);
        Assert.Equal("weight-exfiltration", record.Decision.Finding?.Category);
        await AssertAbsentAsync(direct, S3TestPolicy.ExfilBucket, "q3_notes.bin");
        var overwrite = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.PutObjectAsync(Put(S3TestPolicy.WeightsBucket, "agent_2.bin", Weights)));
        Assert.Equal(HttpStatusCode.Forbidden, overwrite.StatusCode);
    }

    [SkippableFact]
    public async Task CopyObject_ToUnapprovedBucket_Denied403WithReferenceAndNeverStored()
    {
        await using var store = await S3rverServer.StartAsync(output, S3TestPolicy.WeightsBucket, S3TestPolicy.ExfilBucket);
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        // The copy source as s3rver reads it: were the guard to forward the copy, s3rver would make it.
        using var client = S3TestGuard.Client(guard.DataAddress, literalCopySourceSlash: true);
        using var direct = S3TestGuard.Client(store.Address);
        await direct.PutObjectAsync(Put(S3TestPolicy.WeightsBucket, "agent_2.bin", Weights));

        var denied = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.CopyObjectAsync(S3TestPolicy.WeightsBucket, "agent_2.bin", S3TestPolicy.ExfilBucket, "q3_notes.bin"));

        var record = Decided(decisions, "CopyObject");
        AssertDenied(denied, record);
        Assert.Equal("weight-exfiltration", record.Decision.Finding?.Category);
        Assert.Equal("s3-weights-exfiltration", record.Decision.RuleId);
        await AssertAbsentAsync(direct, S3TestPolicy.ExfilBucket, "q3_notes.bin");
    }

    [SkippableFact]
    public async Task MultipartUpload_ThroughGuard_EachStepDecidedAndObjectAssembled()
    {
        await using var store = await S3rverServer.StartAsync(output, S3TestPolicy.WeightsBucket);
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        using var client = S3TestGuard.Client(guard.DataAddress);
        var part1 = new byte[5 * 1024 * 1024];
        Random.Shared.NextBytes(part1);
        var part2 = Encoding.ASCII.GetBytes("the last part");

        var upload = await client.InitiateMultipartUploadAsync(S3TestPolicy.WeightsBucket, "shards/model-00001.bin");
        var first = await client.UploadPartAsync(Part(upload.UploadId, 1, part1));
        var second = await client.UploadPartAsync(Part(upload.UploadId, 2, part2));
        await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = S3TestPolicy.WeightsBucket,
            Key = "shards/model-00001.bin",
            UploadId = upload.UploadId,
            PartETags = [new PartETag(1, first.ETag), new PartETag(2, second.ETag)],
        });

        using var direct = S3TestGuard.Client(store.Address);
        using var assembled = await direct.GetObjectAsync(S3TestPolicy.WeightsBucket, "shards/model-00001.bin");
        var whole = await ReadAllAsync(assembled.ResponseStream);
        Assert.Equal(part1.Concat(part2).ToArray(), whole);
        lock (decisions)
        {
            Assert.Equal(2, decisions.Count(d => d.Call.Method == "UploadPart" && d.Decision.Kind == DecisionKind.Allow));
        }
    }

    [SkippableFact]
    public async Task DeleteObjects_NamingAWeightsKey_DeniedAndNoKeyDeleted()
    {
        await using var store = await S3rverServer.StartAsync(output, S3TestPolicy.WeightsBucket);
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        using var client = S3TestGuard.Client(guard.DataAddress);
        using var direct = S3TestGuard.Client(store.Address);
        await direct.PutObjectAsync(Put(S3TestPolicy.WeightsBucket, "notes.txt", Weights));
        await direct.PutObjectAsync(Put(S3TestPolicy.WeightsBucket, "agent_2.bin", Weights));

        var denied = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = S3TestPolicy.WeightsBucket,
            Objects = [new KeyVersion { Key = "notes.txt" }, new KeyVersion { Key = "agent_2.bin" }],
        }));

        var record = Decided(decisions, "DeleteObjects");
        AssertDenied(denied, record);
        Assert.Contains(record.Decision.Effects, e => e.Kind == EffectKind.Delete && e.Resource == "s3://weights/agent_2.bin");
        Assert.Equal(HttpStatusCode.OK, (await direct.GetObjectMetadataAsync(S3TestPolicy.WeightsBucket, "notes.txt")).HttpStatusCode);
        Assert.Equal(HttpStatusCode.OK, (await direct.GetObjectMetadataAsync(S3TestPolicy.WeightsBucket, "agent_2.bin")).HttpStatusCode);
    }

    [SkippableFact]
    public async Task CopyObject_MetadataReplaceOnWeights_DeniedAndMetadataUnchanged()
    {
        await using var store = await S3rverServer.StartAsync(output, S3TestPolicy.WeightsBucket);
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        // The copy source as s3rver reads it: were the guard to forward the copy, s3rver would make it.
        using var client = S3TestGuard.Client(guard.DataAddress, literalCopySourceSlash: true);
        using var direct = S3TestGuard.Client(store.Address);
        var original = Put(S3TestPolicy.WeightsBucket, "agent_2.bin", Weights);
        original.Metadata.Add("trained", "2024-06-01");
        await direct.PutObjectAsync(original);

        var rewrite = new CopyObjectRequest
        {
            SourceBucket = S3TestPolicy.WeightsBucket,
            SourceKey = "agent_2.bin",
            DestinationBucket = S3TestPolicy.WeightsBucket,
            DestinationKey = "agent_2.bin",
            MetadataDirective = S3MetadataDirective.REPLACE,
        };
        rewrite.Metadata.Add("trained", "2026-01-01");
        var denied = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.CopyObjectAsync(rewrite));

        AssertDenied(denied, Decided(decisions, "CopyObject"));
        var metadata = await direct.GetObjectMetadataAsync(S3TestPolicy.WeightsBucket, "agent_2.bin");
        Assert.Equal("2024-06-01", metadata.Metadata["trained"]);
    }

    /// <summary>A PutObject s3rver stores as sent: it takes aws-chunked bodies as they are, so the client signs the payload whole.</summary>
    internal static PutObjectRequest Put(string bucket, string key, byte[] content)
        => new() { BucketName = bucket, Key = key, InputStream = new MemoryStream(content), UseChunkEncoding = false };

    internal static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>The one decision of <paramref name="operation"/>.</summary>
    internal static DecisionRecord Decided(List<DecisionRecord> decisions, string operation)
    {
        lock (decisions)
        {
            return Assert.Single(decisions, d => d.Call.Method == operation);
        }
    }

    /// <summary>Denied as S3 denies: 403 AccessDenied, the request id the guard's audit reference.</summary>
    internal static void AssertDenied(AmazonS3Exception denied, DecisionRecord record)
    {
        Assert.Equal(DecisionKind.Deny, record.Decision.Kind);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("AccessDenied", denied.ErrorCode);
        Assert.Equal("Access Denied", denied.Message);
        Assert.Equal(record.Reference, denied.RequestId);
    }

    private static UploadPartRequest Part(string uploadId, int number, byte[] content) => new()
    {
        BucketName = S3TestPolicy.WeightsBucket,
        Key = "shards/model-00001.bin",
        UploadId = uploadId,
        PartNumber = number,
        InputStream = new MemoryStream(content),
        UseChunkEncoding = false,
    };

    private static async Task AssertAbsentAsync(AmazonS3Client direct, string bucket, string key)
    {
        var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() => direct.GetObjectMetadataAsync(bucket, key));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
