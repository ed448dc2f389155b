using System.Net;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using AgentGuard.Audit;
using AgentGuard.Infrastructure;
using AgentGuard.Policy;
using AgentGuard.Proxy;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace AgentGuard.S3;

/// <summary>
/// The S3 route in front of a Kestrel store that records what reaches it: operations s3rver does
/// not implement (lifecycle, bucket policy, replication, UploadPartCopy) are denied and never
/// arrive; allowed requests arrive as sent (Host, signature headers, body); the orchestrator's
/// header does not; both aws-chunked forms an SDK sends are read.
/// </summary>
public sealed class S3RouteTests(ITestOutputHelper output)
{
    private const string SessionHeader = "X-AgentGuard-Session";

    [Fact]
    public async Task PutBucketLifecycle_ExpiringWeights_DeniedAndNeverArrives()
        => await AssertDeniedNeverArrivesAsync("PutBucketLifecycleConfiguration", client => client.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = S3TestPolicy.WeightsBucket,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule
                    {
                        Id = "expire-everything",
                        Status = LifecycleRuleStatus.Enabled,
                        Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = string.Empty } },
                        Expiration = new LifecycleRuleExpiration { Days = 1 },
                    },
                ],
            },
        }));

    [Fact]
    public async Task PutBucketPolicy_OnWeightsBucket_DeniedAndNeverArrives()
        => await AssertDeniedNeverArrivesAsync("PutBucketPolicy", client => client.PutBucketPolicyAsync(new PutBucketPolicyRequest
        {
            BucketName = S3TestPolicy.WeightsBucket,
            Policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::weights/*"}]}""",
        }));

    [Fact]
    public async Task PutBucketReplication_OfWeights_DeniedAndNeverArrives()
        => await AssertDeniedNeverArrivesAsync("PutBucketReplication", client => client.PutBucketReplicationAsync(new PutBucketReplicationRequest
        {
            BucketName = S3TestPolicy.WeightsBucket,
            Configuration = new ReplicationConfiguration
            {
                Role = "arn:aws:iam::123456789012:role/replication",
                Rules =
                [
                    new ReplicationRule
                    {
                        Id = "everything",
                        Status = ReplicationRuleStatus.Enabled,
                        Filter = new ReplicationRuleFilter { Prefix = string.Empty },
                        Destination = new ReplicationDestination { BucketArn = "arn:aws:s3:::scratch" },
                    },
                ],
            },
        }));

    [Fact]
    public async Task UploadPartCopy_WeightsToUnapprovedBucket_DeniedAndNeverArrives()
        => await AssertDeniedNeverArrivesAsync("UploadPartCopy", client => client.CopyPartAsync(new CopyPartRequest
        {
            SourceBucket = S3TestPolicy.WeightsBucket,
            SourceKey = "agent_2.bin",
            DestinationBucket = S3TestPolicy.ExfilBucket,
            DestinationKey = "q3_notes.bin",
            UploadId = "upload-1",
            PartNumber = 1,
        }));

    [Fact]
    public async Task CopyObject_Denied_AnswersS3AccessDeniedXmlWithTheReferenceOnly()
    {
        await using var store = await StartStoreAsync();
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(guard.DataAddress, "/scratch/q3_notes.bin"));
        request.Headers.Add("x-amz-copy-source", "/weights/agent_2.bin");

        using var response = await http.SendAsync(request);

        var record = S3EndToEndTests.Decided(decisions, "CopyObject");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>" + record.Reference + "</RequestId></Error>",
            await response.Content.ReadAsStringAsync());
        Assert.Equal(record.Reference, response.Headers.GetValues("x-amz-request-id").Single());
        Assert.Equal("""{"bucket":"scratch","key":"q3_notes.bin","copy_source":"/weights/agent_2.bin"}""", record.Call.Arguments.GetRawText());
        Assert.Empty(store.Received);

        // SREs see the S3 operation as the call's tool label, beside the finding.
        var scrape = await Telemetry.PrometheusText.ScrapeAsync(http, guard.AdminAddress);
        Assert.Equal(1, Telemetry.PrometheusText.Value(scrape, "agentguard_tool_calls_total", ("tool", "CopyObject"), ("decision", "deny")));
        Assert.Equal(1, Telemetry.PrometheusText.Value(scrape, "agentguard_findings_total", ("finding", "weight-exfiltration")));
    }

    [Fact]
    public async Task Put_Allowed_ArrivesWithOriginalHostSignedHeadersAndBodyButNotTheOrchestratorHeader()
    {
        await using var store = await StartStoreAsync();
        await using var guard = await S3TestGuard.StartAsync(output, store.Address, new Dictionary<string, string?>
        {
            ["AgentGuard:Sessions:Header"] = SessionHeader,
            ["AgentGuard:Sessions:HeaderTrusted"] = "true",
        });
        var decisions = S3TestGuard.Collect(guard);
        using var http = new HttpClient();
        var body = Encoding.ASCII.GetBytes("quarterly notes");
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(guard.DataAddress, "/scratch/notes%20q3.txt")) { Content = new ByteArrayContent(body) };
        request.Headers.Host = "s3.localhost:9000";
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=S3RVER/20261205/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=00");
        request.Headers.Add("x-amz-date", "20261205T080000Z");
        request.Headers.Add("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
        request.Headers.Add("x-amz-meta-owner", "research");
        request.Headers.Add(SessionHeader, "run-7");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(store.Received);
        Assert.Equal("/scratch/notes%20q3.txt", received.Path);
        Assert.Equal("s3.localhost:9000", received.Headers["Host"]);
        Assert.Equal(request.Headers.GetValues("Authorization").Single(), received.Headers["Authorization"]);
        Assert.Equal("20261205T080000Z", received.Headers["x-amz-date"]);
        Assert.Equal("UNSIGNED-PAYLOAD", received.Headers["x-amz-content-sha256"]);
        Assert.Equal("research", received.Headers["x-amz-meta-owner"]);
        Assert.Equal(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), received.Headers["Content-Length"]);
        Assert.False(received.Headers.ContainsKey(SessionHeader));
        Assert.Equal(body, received.Body);
        var record = S3EndToEndTests.Decided(decisions, "PutObject");
        Assert.Equal("run-7", record.Call.Session);
        Assert.Contains(record.Decision.Effects, e => e.Resource == "s3://scratch/notes q3.txt");
    }

    [Fact]
    public async Task Put_KeyWithDotSegmentsAndEncodedPlus_ForwardedAsSentAndDecidedAsThatKey()
    {
        string? arrived = null;
        await using var store = await TestUpstream.StartAsync((context, _) =>
        {
            arrived = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
            return Task.CompletedTask;
        });
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        using var http = new HttpClient();

        // S3 keys are opaque: "models/../a+b.txt" is its own object, not "a+b.txt"; Kestrel and YARP would resolve and re-encode it.
        var url = new Uri(guard.DataAddress.ToString().TrimEnd('/') + "/scratch/models/../a%2Bb.txt?x-id=PutObject", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var response = await http.PutAsync(url, new ByteArrayContent("notes"u8.ToArray()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/scratch/models/../a%2Bb.txt?x-id=PutObject", arrived);
        Assert.Contains(S3EndToEndTests.Decided(decisions, "PutObject").Decision.Effects, e => e.Resource == "s3://scratch/models/../a+b.txt");
    }

    [Fact]
    public async Task PutObject_HttpChunkedTransferOfWeights_SniffedAcrossChunksAndDenied_TextForwardedWhole()
    {
        await using var store = await StartStoreAsync();
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        using var http = new HttpClient();

        // No Content-Length: HTTP/1.1 chunked transfer, written in pieces smaller than the sniffing window.
        using var weights = await http.SendAsync(Unsized(ModelFiles.Safetensors(300 * 1024)));
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("quarterly notes, nothing protected\n", 5000)));
        using var notes = await http.SendAsync(Unsized(text));

        Assert.Equal(HttpStatusCode.Forbidden, weights.StatusCode);
        Assert.Equal(HttpStatusCode.OK, notes.StatusCode);
        Assert.Equal(text, Assert.Single(store.Received).Body);
        lock (decisions)
        {
            Assert.Equal([DecisionKind.Deny, DecisionKind.Allow], decisions.Select(d => d.Decision.Kind));
        }

        HttpRequestMessage Unsized(byte[] content)
        {
            var request = new HttpRequestMessage(HttpMethod.Put, new Uri(guard.DataAddress, "/scratch/q3_notes.bin")) { Content = new StreamContent(new TrickleStream(content)) };
            request.Headers.TransferEncodingChunked = true;
            request.Headers.Add("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
            return request;
        }
    }

    [Fact]
    public async Task PutObject_SignedAwsChunked_DecodedForDecisionAndForwardedAsSent()
        => await AssertChunkedUploadAsync();

    /// <summary>
    /// The form AWSSDK v4 sends by default over HTTPS (STREAMING-UNSIGNED-PAYLOAD-TRAILER: unsigned
    /// chunks and a CRC32 trailer); the SDK refuses to send it over plain HTTP, so it is framed here.
    /// </summary>
    [Fact]
    public async Task PutObject_UnsignedChunkedWithChecksumTrailer_DecodedForDecisionAndForwardedAsSent()
    {
        await using var store = await StartStoreAsync();
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        var payload = new byte[150 * 1024];
        Random.Shared.NextBytes(payload);
        var framed = new MemoryStream();
        for (var at = 0; at < payload.Length; at += 64 * 1024)
        {
            var size = Math.Min(64 * 1024, payload.Length - at);
            framed.Write(Encoding.ASCII.GetBytes(size.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "\r\n"));
            framed.Write(payload, at, size);
            framed.Write("\r\n"u8);
        }

        framed.Write("0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"u8);
        var body = framed.ToArray();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentEncoding.Add("aws-chunked");
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(guard.DataAddress, "/scratch/q3_notes.bin")) { Content = content };
        request.Headers.Add("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
        request.Headers.Add("x-amz-decoded-content-length", payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("x-amz-trailer", "x-amz-checksum-crc32");
        using var http = new HttpClient();

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(store.Received).Body);
        Assert.Equal(DecisionKind.Allow, S3EndToEndTests.Decided(decisions, "PutObject").Decision.Kind);
    }

    [Fact]
    public async Task PutObject_BrokenAwsChunkedFraming_DeniedAsUndecodableAndNeverArrives()
    {
        await using var store = await StartStoreAsync();
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        using var http = new HttpClient();
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes("zz;chunk-signature=00\r\nnot a chunk\r\n"));
        content.Headers.ContentEncoding.Add("aws-chunked");
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(guard.DataAddress, "/scratch/a.bin")) { Content = content };
        request.Headers.Add("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
        request.Headers.Add("x-amz-decoded-content-length", "11");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        DecisionRecord record;
        lock (decisions)
        {
            record = Assert.Single(decisions);
        }

        Assert.Equal(Decision.InspectionRuleId, record.Decision.RuleId);
        Assert.StartsWith("malformed: ", record.Decision.Message, StringComparison.Ordinal);
        Assert.Empty(store.Received);
    }

    /// <summary>The SDK over HTTP signs each chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD).</summary>
    [Fact]
    public async Task GetObject_AuditLogUnwritable_DeniedAndNeverArrives_ForwardedAndRecordedOnceWritable()
    {
        await using var store = await StartStoreAsync();
        var folder = Directory.CreateTempSubdirectory("agentguard-s3-audit-").FullName;

        // A path whose parent is a regular file: not creatable even by root.
        var blocker = Path.Combine(folder, "blocker");
        await File.WriteAllTextAsync(blocker, "not a folder");
        var directory = Path.Combine(blocker, "audit");
        await using var guard = await S3TestGuard.StartAsync(output, store.Address, new Dictionary<string, string?> { ["AgentGuard:Audit:Directory"] = directory });
        using var http = new HttpClient();
        var url = new Uri(guard.DataAddress, "/scratch/report.csv");

        using var denied = await http.GetAsync(url);

        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code>", await denied.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(store.Received);

        File.Delete(blocker);
        using var forwarded = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
        Assert.Single(store.Received);
        var entry = Assert.Single(AuditReader.Query(directory, new AuditQuery()));
        Assert.Equal("allow", entry.Decision);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task StartAsync_ServiceHostWithScheme_RefusesToStartNamingKeyAndFix()
    {
        var error = await Assert.ThrowsAsync<GuardStartException>(() => S3TestGuard.StartAsync(output, new Uri("http://127.0.0.1:1"), new Dictionary<string, string?>
        {
            ["AgentGuard:S3:ServiceHosts:0"] = "http://minio.internal:9000/",
        }));

        Assert.Equal("AgentGuard:S3:ServiceHosts:0 is 'http://minio.internal:9000/'; give a host name the S3 clients call, without scheme or path (s3.amazonaws.com, minio.internal).", Assert.Single(error.Errors));
    }

    private async Task AssertChunkedUploadAsync()
    {
        await using var store = await StartStoreAsync();
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        using var client = S3TestGuard.Client(guard.DataAddress);
        var payload = new byte[200 * 1024];
        Random.Shared.NextBytes(payload);
        var put = new PutObjectRequest
        {
            BucketName = S3TestPolicy.ExfilBucket,
            Key = "q3_notes.bin",
            InputStream = new MemoryStream(payload),
            UseChunkEncoding = true,
        };

        await client.PutObjectAsync(put);

        var received = Assert.Single(store.Received);
        output.WriteLine($"x-amz-content-sha256: {received.Headers.GetValueOrDefault("x-amz-content-sha256")}, Content-Encoding: {received.Headers.GetValueOrDefault("Content-Encoding")}");
        Assert.Equal("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", received.Headers["x-amz-content-sha256"]);
        Assert.Equal(payload, AwsChunkedForTests.Payload(received.Body));
        var record = S3EndToEndTests.Decided(decisions, "PutObject");
        Assert.Equal(DecisionKind.Allow, record.Decision.Kind);
    }

    private async Task AssertDeniedNeverArrivesAsync(string operation, Func<AmazonS3Client, Task> call)
    {
        await using var store = await StartStoreAsync();
        await using var guard = await S3TestGuard.StartAsync(output, store.Address);
        var decisions = S3TestGuard.Collect(guard);
        using var client = S3TestGuard.Client(guard.DataAddress);

        var denied = await Assert.ThrowsAsync<AmazonS3Exception>(() => call(client));

        S3EndToEndTests.AssertDenied(denied, S3EndToEndTests.Decided(decisions, operation));
        Assert.Empty(store.Received);
    }

    /// <summary>A store that records every request and answers 200 with an ETag, as S3 answers a write.</summary>
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

    /// <summary>A body read 7 KiB at a time, so the guard sees it arrive in pieces.</summary>
    private sealed class TrickleStream(byte[] content) : MemoryStream(content, writable: false)
    {
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => base.ReadAsync(buffer, offset, Math.Min(count, 7 * 1024), cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => base.ReadAsync(buffer[..Math.Min(buffer.Length, 7 * 1024)], cancellationToken);
    }
}
