namespace AgentGuard.Proxy;

/// <summary>
/// Sends a request's <see cref="ForwardedBody"/> as its content, with the content headers YARP
/// gave it, so that HttpClient writes the headers and the body to the connection at once. Other
/// requests (uninspected routes, S3 objects) stream as YARP made them.
/// </summary>
/// <remarks>
/// The swap is made here, below YARP, because YARP refuses a transform that replaces the content.
/// YARP's own content is then never started, which YARP reads as a request body that was not sent:
/// an upstream failure is reported as one, as for a call without a body.
/// </remarks>
internal sealed class ForwardedBodyHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } streamed && request.Options.TryGetValue(ForwardedBody.Option, out var body))
        {
            var content = new ByteArrayContent(body.Bytes);
            foreach (var header in streamed.Headers.NonValidated)
            {
                foreach (var value in header.Value)
                {
                    content.Headers.TryAddWithoutValidation(header.Key, value);
                }
            }

            request.Content = content;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
