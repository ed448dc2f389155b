using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using AgentGuard.Content;
using AgentGuard.Effects;
using AgentGuard.Infrastructure;
using AgentGuard.Policy;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace AgentGuard.S3;

/// <summary>
/// Weights uploaded through the S3 route under a neutral name are known by their bytes (the first
/// window of content, after aws-chunked framing is undone), and denied outside the approved
/// buckets; other files pass. The store is a recording Kestrel app, so "never arrives" is checked.
/// </summary>
public sealed class S3ContentSniffingTests(ITestOutputHelper output)
{
    public static TheoryData<string> WeightsFormats()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in ModelFiles.Weights)
        {
            data.Add(name);
        }

        return data;
    }

    public static TheoryData<string> OtherFiles()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in ModelFiles.Others)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WeightsFormats))]
    public async Task PutObject_WeightsUnderNeutralName_KnownByBytesDeniedAndNeverArrive(string format)
    {
        await using var store = await StartStoreAsync();
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        using var client = S3TestGuard.Client(guard.DataAddress);

        // Larger than the sniffing window: only its first bytes are read before the decision.
        var denied = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.PutObjectAsync(S3EndToEndTests.Put(S3TestPolicy.ExfilBucket, "q3_notes.bin", ModelFiles.Build(format, 200 * 1024))));

        var record = S3EndToEndTests.Decided(decisions, "PutObject");
        S3EndToEndTests.AssertDenied(denied, record);
        Assert.Equal("s3-weights-upload-elsewhere", record.Decision.RuleId);
        Assert.Contains(record.Decision.Effects, e => e.Kind == EffectKind.Write && e.Format is not null);
        Assert.Empty(store.Received);
    }

    [Theory]
    [MemberData(nameof(OtherFiles))]
    public async Task PutObject_NotWeights_AllowedAndArrivesIntact(string file)
    {
        await using var store = await StartStoreAsync();
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        using var client = S3TestGuard.Client(guard.DataAddress);
        var content = ModelFiles.Others.Single(o => o.Name == file).Build();

        await client.PutObjectAsync(S3EndToEndTests.Put(S3TestPolicy.ExfilBucket, "q3_notes.bin", content));

        Assert.Equal(DecisionKind.Allow, S3EndToEndTests.Decided(decisions, "PutObject").Decision.Kind);
        Assert.Equal(content, Assert.Single(store.Received).Body);
    }

    [Fact]
    public async Task PutObject_SafetensorsInSignedAwsChunkedBody_FramingUndoneBeforeSniffing()
    {
        await using var store = await StartStoreAsync();
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        using var client = S3TestGuard.Client(guard.DataAddress);

        // With aws-chunked framing the body begins "10000;chunk-signature=...": sniffing that would find nothing.
        var denied = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = S3TestPolicy.ExfilBucket,
            Key = "q3_notes.bin",
            InputStream = new MemoryStream(ModelFiles.Safetensors(300 * 1024)),
            UseChunkEncoding = true,
        }));

        var record = S3EndToEndTests.Decided(decisions, "PutObject");
        S3EndToEndTests.AssertDenied(denied, record);
        Assert.Contains(record.Decision.Effects, e => e.Format == ModelFormat.Safetensors);
        Assert.Empty(store.Received);
    }

    [Fact]
    public async Task PutObject_WeightsToApprovedBucket_AllowedWithFormatRecorded()
    {
        await using var store = await StartStoreAsync();
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        using var client = S3TestGuard.Client(guard.DataAddress);
        var weights = ModelFiles.Gguf(100 * 1024);

        var put = await client.PutObjectAsync(S3EndToEndTests.Put(S3TestPolicy.BackupBucket, "agent_2.gguf", weights));

        Assert.Equal(HttpStatusCode.OK, put.HttpStatusCode);
        var record = S3EndToEndTests.Decided(decisions, "PutObject");
        Assert.Equal(DecisionKind.Allow, record.Decision.Kind);
        Assert.Contains(record.Decision.Effects, e => e.Format == ModelFormat.Gguf);
        Assert.Equal(weights, Assert.Single(store.Received).Body);
    }

    private static Task<TestUpstream> StartStoreAsync()
        => TestUpstream.StartAsync(async (context, self) =>
        {
            var received = await ReceivedRequest.ReadAsync(context.Request);
            lock (self.Received)
            {
                self.Received.Add(received);
            }

            context.Response.Headers.ETag = "\"0123456789abcdef0123456789abcdef\"";
            context.Response.StatusCode = StatusCodes.Status200OK;
        });
}
