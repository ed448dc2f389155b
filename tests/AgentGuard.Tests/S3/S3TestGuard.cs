using Amazon.Runtime;
using Amazon.S3;
using AgentGuard.Audit;
using AgentGuard.Infrastructure;
using AgentGuard.Proxy;
using Xunit.Abstractions;

namespace AgentGuard.S3;

/// <summary>The guard with one S3 route (<c>AgentGuard.Inspect: s3</c>) in front of an S3 store, and SigV4-signing clients for it.</summary>
internal static class S3TestGuard
{
    /// <summary>The host name virtual-hosted clients use: <c>bucket.s3.localhost</c>.</summary>
    public const string ServiceHost = "s3.localhost";

    /// <param name="policies">The policy files and folders; the S3 test policy when <see langword="null"/>.</param>
    public static Task<GuardHost> StartAsync(ITestOutputHelper output, Uri store, IDictionary<string, string?>? extra = null, IEnumerable<string>? policies = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AgentGuard:Upstream"] = null,
            ["AgentGuard:S3:ServiceHosts:0"] = ServiceHost,
            ["ReverseProxy:Routes:store:ClusterId"] = "store",
            ["ReverseProxy:Routes:store:Match:Path"] = "{**catch-all}",
            ["ReverseProxy:Routes:store:Metadata:AgentGuard.Inspect"] = "s3",
            ["ReverseProxy:Clusters:store:Destinations:d1:Address"] = store.ToString(),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return TestGuard.StartAsync(output, store, policies ?? [S3TestPolicy.Write()], settings, services: services);
    }

    /// <summary>
    /// An S3 client that signs with s3rver's account (SigV4), sends no checksum trailers unless an
    /// operation requires a checksum (s3rver rejects them), and does not retry.
    /// </summary>
    /// <param name="endpoint">Where it sends requests (the guard, or the store directly).</param>
    /// <param name="pathStyle">Path-style (<c>/bucket/key</c>); otherwise virtual-hosted (<c>bucket.s3.localhost</c>), connected to <paramref name="endpoint"/>'s port on loopback.</param>
    /// <param name="literalCopySourceSlash">
    /// Sends <c>x-amz-copy-source</c> as <c>bucket/key</c> rather than the SDK's <c>bucket%2Fkey</c>.
    /// S3 takes both; s3rver 3.7.1 only the first, so a copy that is to reach it needs this.
    /// </param>
    public static AmazonS3Client Client(Uri endpoint, bool pathStyle = true, bool literalCopySourceSlash = false)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = pathStyle ? endpoint.ToString() : $"http://{ServiceHost}:{endpoint.Port}/",
            ForcePathStyle = pathStyle,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 0,
            Timeout = TimeSpan.FromMinutes(5),
        };
        if (!pathStyle)
        {
            config.HttpClientFactory = new LoopbackHttpClientFactory();
        }

        var client = new AmazonS3Client(new BasicAWSCredentials(S3rverServer.AccessKey, S3rverServer.AccessKey), config);
        if (literalCopySourceSlash)
        {
            // Before signing: the header arrives signed as rewritten.
            client.BeforeRequestEvent += (_, e) =>
            {
                if (e is WebServiceRequestEventArgs request && request.Headers.TryGetValue("x-amz-copy-source", out var source))
                {
                    var slash = source.IndexOf("%2F", StringComparison.OrdinalIgnoreCase);
                    if (slash >= 0)
                    {
                        request.Headers["x-amz-copy-source"] = source[..slash] + "/" + source[(slash + 3)..];
                    }
                }
            };
        }

        return client;
    }

    /// <summary>The decisions the guard made, as they are recorded.</summary>
    public static List<DecisionRecord> Collect(GuardHost guard) => TestGuard.Collect(guard);

    /// <summary>Connects every host name to loopback, so that <c>bucket.s3.localhost</c> reaches the guard whatever the resolver thinks of it.</summary>
    private sealed class LoopbackHttpClientFactory : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig)
        {
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(System.Net.IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                },
            };
            return new HttpClient(handler);
        }

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;
    }
}
