using System.Net;

namespace AgentGuard.Oversight;

/// <summary>
/// The HTTP connections re-scorers share: one handler for the guard's life (so connections are
/// pooled and DNS changes are picked up), redirects off (a grader's token is not sent on to
/// another host), and answers read only up to a cap.
/// </summary>
internal static class RescorerHttp
{
    private static readonly Lazy<SocketsHttpHandler> SharedHandler = new(() => new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(15),
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.All,
        UseCookies = false,
    });

    /// <summary>A client over the shared connections whose answers are cut at <paramref name="maxResponseBytes"/>; timeouts are the caller's.</summary>
    public static HttpClient CreateClient(int maxResponseBytes)
        => new(new CappedResponseHandler(maxResponseBytes) { InnerHandler = SharedHandler.Value }, disposeHandler: false)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>
    /// Reads <paramref name="content"/> whole, or returns null when it is longer than
    /// <paramref name="maxBytes"/> (after decompression), having read at most one byte more.
    /// </summary>
    public static async Task<byte[]?> ReadCappedAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > maxBytes)
        {
            return null;
        }

        using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }
    }

    /// <summary>Reads each answer up to the cap before the client sees it; a longer one fails the call with <see cref="RescoreFailedException"/>.</summary>
    private sealed class CappedResponseHandler(int maxBytes) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var original = response.Content;
            var body = await ReadCappedAsync(original, maxBytes, cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                response.Dispose();
                throw new RescoreFailedException($"{request.RequestUri?.GetLeftPart(UriPartial.Path)} answered with more than {maxBytes} bytes (max_response_bytes)");
            }

            var buffered = new ByteArrayContent(body);
            foreach (var header in original.Headers)
            {
                if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                    && !header.Key.Equals("Content-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            response.Content = buffered;
            original.Dispose();
            return response;
        }
    }
}
