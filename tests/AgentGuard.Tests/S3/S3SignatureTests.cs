using System.Net;
using System.Text;
using Amazon.S3.Model;
using AgentGuard.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Xunit.Abstractions;

namespace AgentGuard.S3;

/// <summary>
/// Allowed requests arrive with valid SigV4 signatures: a store in the test checks each signature
/// (<see cref="SigV4Verifier"/>) against the request exactly as it arrived from the guard, Host,
/// path, query, signed headers and body, with the secret the AWSSDK client signed with.
/// </summary>
public sealed class S3SignatureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PutAndGet_PathStyle_ArriveWithValidSignatures()
    {
        await using var store = await StartVerifyingStoreAsync();
        await using var guard = await S3TestGuard.StartAsync(output, store.Upstream.Address);
        using var client = S3TestGuard.Client(guard.DataAddress);

        await client.PutObjectAsync(S3EndToEndTests.Put(S3TestPolicy.ExfilBucket, "reports/q3 notes+draft.txt", Encoding.ASCII.GetBytes("quarterly notes")));
        using var get = await client.GetObjectAsync(new GetObjectRequest { BucketName = S3TestPolicy.ExfilBucket, Key = "reports/q3 notes+draft.txt", VersionId = "v1" });

        store.AssertAllValid(expected: 2);
    }

    [Fact]
    public async Task Put_VirtualHosted_ArrivesWithValidSignatureAndItsOwnHost()
    {
        await using var store = await StartVerifyingStoreAsync();
        await using var guard = await S3TestGuard.StartAsync(output, store.Upstream.Address);
        using var client = S3TestGuard.Client(guard.DataAddress, pathStyle: false);

        await client.PutObjectAsync(S3EndToEndTests.Put(S3TestPolicy.ExfilBucket, "q3.txt", Encoding.ASCII.GetBytes("quarterly notes")));

        store.AssertAllValid(expected: 1);
        Assert.Equal($"scratch.{S3TestGuard.ServiceHost}:{guard.DataAddress.Port}", Assert.Single(store.Upstream.Received).Headers["Host"]);
    }

    [Fact]
    public async Task Put_SignedAwsChunked_ArrivesWithValidSeedSignature()
    {
        await using var store = await StartVerifyingStoreAsync();
        await using var guard = await S3TestGuard.StartAsync(output, store.Upstream.Address);
        using var client = S3TestGuard.Client(guard.DataAddress);
        var payload = new byte[100 * 1024];
        Random.Shared.NextBytes(payload);

        await client.PutObjectAsync(new PutObjectRequest { BucketName = S3TestPolicy.ExfilBucket, Key = "q3.bin", InputStream = new MemoryStream(payload), UseChunkEncoding = true });

        store.AssertAllValid(expected: 1);
        Assert.Equal(payload, AwsChunkedForTests.Payload(Assert.Single(store.Upstream.Received).Body));
    }

    [Fact]
    public async Task DeleteObjects_Allowed_DocumentArrivesWithValidSignature()
    {
        await using var store = await StartVerifyingStoreAsync();
        await using var guard = await S3TestGuard.StartAsync(output, store.Upstream.Address);
        using var client = S3TestGuard.Client(guard.DataAddress);

        await client.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = S3TestPolicy.ExfilBucket, Objects = [new KeyVersion { Key = "a.txt" }, new KeyVersion { Key = "b.txt" }] });

        store.AssertAllValid(expected: 1);
    }

    [Fact]
    public async Task DeleteObjects_Allowed_DocumentGoesUpstreamWithItsHeadersInOneWrite()
    {
        // The guard reads an S3 document whole to decide on it, so it forwards it whole.
        var writes = new UpstreamWrites();
        await using var store = await StartVerifyingStoreAsync();
        await using var guard = await S3TestGuard.StartAsync(output, store.Upstream.Address, services: writes.Register);
        using var client = S3TestGuard.Client(guard.DataAddress);

        await client.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = S3TestPolicy.ExfilBucket, Objects = [new KeyVersion { Key = "a.txt" }] });

        store.AssertAllValid(expected: 1);
        var write = Assert.Single(writes);
        Assert.True(write > Assert.Single(store.Upstream.Received).Body.Length);
    }

    [Fact]
    public async Task Verifier_HostChangedOnTheWay_Rejects()
    {
        // The control: what YARP would do without the original-host transform must fail the check.
        await using var store = await StartVerifyingStoreAsync();
        using var client = S3TestGuard.Client(store.Upstream.Address);
        await client.PutObjectAsync(S3EndToEndTests.Put(S3TestPolicy.ExfilBucket, "q3.txt", Encoding.ASCII.GetBytes("quarterly notes")));
        store.AssertAllValid(expected: 1);
        var sent = Assert.Single(store.Upstream.Received);

        var moved = new SigV4Verifier.Received(sent.Method, sent.Path, name => string.Equals(name, "host", StringComparison.OrdinalIgnoreCase) ? "127.0.0.1:1" : sent.Headers.GetValueOrDefault(name), sent.Body);

        Assert.NotNull(SigV4Verifier.Verify(moved, S3rverServer.AccessKey));
    }

    private static async Task<VerifyingStore> StartVerifyingStoreAsync()
    {
        var results = new List<string?>();
        var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            var received = await ReceivedRequest.ReadAsync(context.Request);
            var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
            received = received with { Path = target };
            var check = SigV4Verifier.Verify(new SigV4Verifier.Received(received.Method, target, name => received.Headers.GetValueOrDefault(name), received.Body), S3rverServer.AccessKey);
            lock (self.Received)
            {
                self.Received.Add(received);
                results.Add(check);
            }

            context.Response.StatusCode = check is null ? StatusCodes.Status200OK : StatusCodes.Status403Forbidden;
            if (HttpMethods.IsPut(context.Request.Method))
            {
                context.Response.Headers.ETag = "\"0123456789abcdef0123456789abcdef\"";
            }

            if (HttpMethods.IsPost(context.Request.Method))
            {
                await context.Response.WriteAsync("<DeleteResult></DeleteResult>");
            }
        });
        return new VerifyingStore(upstream, results);
    }

    private sealed record VerifyingStore(TestUpstream Upstream, List<string?> Results) : IAsyncDisposable
    {
        public void AssertAllValid(int expected)
        {
            lock (Upstream.Received)
            {
                Assert.Equal(expected, Results.Count);
                Assert.All(Results, result => Assert.Null(result));
            }
        }

        public ValueTask DisposeAsync() => Upstream.DisposeAsync();
    }
}
