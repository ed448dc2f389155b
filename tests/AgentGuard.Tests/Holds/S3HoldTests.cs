using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentGuard.Admin;
using AgentGuard.Infrastructure;
using AgentGuard.S3;
using Amazon.S3;
using Amazon.S3.Model;
using Xunit.Abstractions;

namespace AgentGuard.Holds;

/// <summary>
/// A held S3 request (no progress on S3) waits for a reviewer, then goes to the real store (s3rver)
/// or is answered with the usual 403 AccessDenied, through the real S3 client.
/// </summary>
public sealed class S3HoldTests(ITestOutputHelper output) : IDisposable
{
    private const string Rules = """
        rules:
          - id: hold-s3-delete
            when: { method: DeleteObject }
            decision: hold
            hold: { timeout: 20s }
            finding: { category: destructive-action, severity: medium }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-s3-holds-").FullName;

    [SkippableFact]
    public async Task HeldDelete_Approved_ReachesTheStore_ThenASecondDenied403()
    {
        await using var store = await S3rverServer.StartAsync(output, S3TestPolicy.WeightsBucket, S3TestPolicy.ExfilBucket);
        await File.WriteAllTextAsync(Path.Combine(_folder, "holds.yaml"), Rules);
        var reviewers = Path.Combine(_folder, "reviewers.yaml");
        await File.WriteAllTextAsync(reviewers, $"reviewers:\n  - {{ name: alice, token_sha256: {ReviewerDirectory.Hash(HoldingGuard.AliceToken)} }}\n");
        await using var guard = await S3TestGuard.StartAsync(
            output, store.Address, new Dictionary<string, string?> { ["AgentGuard:Reviewers:File"] = reviewers }, [S3TestPolicy.Write(), Path.Combine(_folder, "holds.yaml")]);
        using var client = S3TestGuard.Client(guard.DataAddress);
        using var direct = S3TestGuard.Client(store.Address);
        using var admin = new HttpClient { BaseAddress = guard.AdminAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HoldingGuard.AliceToken);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = S3TestPolicy.ExfilBucket, Key = "notes/a.txt", InputStream = new MemoryStream(Encoding.ASCII.GetBytes("a")), UseChunkEncoding = false });
        await client.PutObjectAsync(new PutObjectRequest { BucketName = S3TestPolicy.ExfilBucket, Key = "notes/b.txt", InputStream = new MemoryStream(Encoding.ASCII.GetBytes("b")), UseChunkEncoding = false });

        var approved = client.DeleteObjectAsync(S3TestPolicy.ExfilBucket, "notes/a.txt");
        var held = await HeldAsync(admin);
        Assert.Equal("DeleteObject", held.GetProperty("tool").GetString());
        Assert.False(approved.IsCompleted);
        Assert.Equal(HttpStatusCode.OK, (await VoteAsync(admin, held, "approve")).StatusCode);
        await approved.WaitAsync(TimeSpan.FromSeconds(30));
        var gone = await Assert.ThrowsAsync<AmazonS3Exception>(() => direct.GetObjectMetadataAsync(S3TestPolicy.ExfilBucket, "notes/a.txt"));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        var denied = client.DeleteObjectAsync(S3TestPolicy.ExfilBucket, "notes/b.txt");
        held = await HeldAsync(admin);
        await VoteAsync(admin, held, "deny");
        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => denied.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(held.GetProperty("id").GetString(), refused.RequestId);
        Assert.Equal(HttpStatusCode.OK, (await direct.GetObjectMetadataAsync(S3TestPolicy.ExfilBucket, "notes/b.txt")).HttpStatusCode);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<JsonElement> HeldAsync(HttpClient admin)
    {
        JsonElement held = default;
        await Poll.UntilAsync(
            async () =>
            {
                using var body = JsonDocument.Parse(await admin.GetStringAsync("/api/approvals"));
                var approvals = body.RootElement.GetProperty("approvals");
                held = approvals.GetArrayLength() == 1 ? approvals[0].Clone() : default;
                return held.ValueKind == JsonValueKind.Object;
            },
            "a held S3 request");
        return held;
    }

    private static Task<HttpResponseMessage> VoteAsync(HttpClient admin, JsonElement held, string decision)
        => admin.PostAsync(
            "/api/approvals/" + held.GetProperty("id").GetString(),
            JsonContent.Create(new Dictionary<string, string?> { ["decision"] = decision, ["call_hash"] = held.GetProperty("call_hash").GetString() }));
}
