using System.Net.Http.Headers;
using System.Text;

namespace AgentGuard.Oversight;

/// <summary>
/// The <c>webhook</c> re-scorer: POSTs the <see cref="RescoreRequest"/> as JSON to a team's grader
/// and reads its <see cref="Rescore"/> back (both shapes in the README, "Re-scoring with a model or
/// a webhook"). Anything but a valid answer in time (refused, timed out, not 2xx, too large,
/// malformed) is a <see cref="RescoreFailedException"/>.
/// </summary>
internal sealed class WebhookRescorer : IRescorer
{
    private const int MaxErrorTextChars = 200;

    private readonly WebhookRescorerOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _timeProvider;
    private readonly Uri _url;
    private readonly string _name;

    public WebhookRescorer(WebhookRescorerOptions options, HttpClient http, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options.Url);
        _options = options;
        _http = http;
        _timeProvider = timeProvider;
        _url = options.Url;

        // The query string may carry a key; messages and the audit record name the grader without it.
        _name = $"webhook {_url.GetLeftPart(UriPartial.Path)}";
    }

    /// <inheritdoc/>
    public string Kind => "webhook";

    /// <inheritdoc/>
    public async ValueTask<Rescore> RescoreAsync(RescoreRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var token = await ReadTokenAsync(cancellationToken).ConfigureAwait(false);
        using var message = new HttpRequestMessage(HttpMethod.Post, _url)
        {
            Content = new ByteArrayContent(RescoreJson.WriteRequest(request)),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (token is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var timeout = new CancellationTokenSource(_options.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        byte[] body;
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var read = await RescorerHttp.ReadCappedAsync(response.Content, _options.MaxResponseBytes, linked.Token).ConfigureAwait(false)
                ?? throw new RescoreFailedException($"{_name} answered with more than {_options.MaxResponseBytes} bytes (max_response_bytes)");
            if (!response.IsSuccessStatusCode)
            {
                throw new RescoreFailedException($"{_name} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}{ErrorText(read)}");
            }

            body = read;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RescoreFailedException($"{_name} did not answer within {_options.Timeout}");
        }
        catch (HttpRequestException e)
        {
            throw new RescoreFailedException($"{_name} cannot be reached: {e.Message}", e);
        }

        var rescore = RescoreReader.Read(body, request, _name);
        return rescore with { Detail = rescore.Detail is null ? _name : $"{_name}: {rescore.Detail}" };
    }

    private async Task<string?> ReadTokenAsync(CancellationToken cancellationToken)
    {
        if (_options.TokenEnvironmentVariable is { } variable)
        {
            var value = Environment.GetEnvironmentVariable(variable);
            return string.IsNullOrWhiteSpace(value)
                ? throw new RescoreFailedException($"{_name}: the environment variable {variable} (token_env) is not set; set it to the grader's token")
                : value.Trim();
        }

        if (_options.TokenFile is { } file)
        {
            string value;
            try
            {
                value = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new RescoreFailedException($"{_name}: the token file {file} (token_file) cannot be read: {e.Message}", e);
            }

            return string.IsNullOrWhiteSpace(value)
                ? throw new RescoreFailedException($"{_name}: the token file {file} (token_file) is empty")
                : value.Trim();
        }

        return null;
    }

    private static string ErrorText(byte[] body)
    {
        if (body.Length == 0)
        {
            return "";
        }

        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, MaxErrorTextChars * 4)).ReplaceLineEndings(" ").Trim();
        return text.Length == 0 ? "" : ": " + (text.Length <= MaxErrorTextChars ? text : text[..MaxErrorTextChars] + "...");
    }
}
