using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenAI;

namespace AgentGuard.Oversight;

/// <summary>Builds the <c>model</c> and <c>webhook</c> re-scorers from their options.</summary>
public static class RescorerFactory
{
    /// <summary>
    /// A <c>model</c> re-scorer: one judge per name in <see cref="ModelRescorerOptions.Models"/>, each
    /// an OpenAI chat-completions client on <see cref="ModelRescorerOptions.Endpoint"/>, and one per
    /// entry of <see cref="ModelRescorerOptions.Judges"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (every problem in the message).</exception>
    /// <exception cref="InvalidOperationException">An API key's environment variable is named but not set.</exception>
    public static IRescorer Create(ModelRescorerOptions options, TimeProvider timeProvider, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ThrowIfInvalid(RescorerOptionsValidator.Validate(options, "rescorer"));
        var judges = CreateJudges(options);
        var logger = (ILogger?)loggerFactory?.CreateLogger<ModelRescorer>() ?? NullLogger.Instance;
        return new ModelRescorer(judges, options, timeProvider, logger);
    }

    /// <summary>
    /// One judge per model on <see cref="ModelRescorerOptions.Endpoint"/> and one per entry of
    /// <see cref="ModelRescorerOptions.Judges"/>: an OpenAI chat-completions client each, over the shared connections.
    /// </summary>
    internal static List<ModelJudge> CreateJudges(ModelRescorerOptions options)
    {
        var http = RescorerHttp.CreateClient(options.MaxResponseBytes);
        var judges = new List<ModelJudge>(options.Models.Count + options.Judges.Count);
        if (options.Models.Count > 0)
        {
            var client = CreateClient(options.Endpoint!, options.ApiKeyEnvironmentVariable, "rescorer.api_key_env", options, http);
            foreach (var model in options.Models)
            {
                judges.Add(new ModelJudge(model, client.GetChatClient(model).AsIChatClient()));
            }
        }

        for (var i = 0; i < options.Judges.Count; i++)
        {
            var judge = options.Judges[i];
            var client = CreateClient(judge.Endpoint!, judge.ApiKeyEnvironmentVariable, $"rescorer.judges[{i}].api_key_env", options, http);
            judges.Add(new ModelJudge(judge.Model!, client.GetChatClient(judge.Model).AsIChatClient()));
        }

        return judges;
    }

    /// <summary>
    /// The API key in the environment variable <paramref name="keyVariable"/>; a placeholder when none
    /// is named (OpenAIClient requires a credential; a server without keys, Ollama or vLLM, ignores it).
    /// </summary>
    /// <param name="keyVariable">The variable's name, or <see langword="null"/> for an endpoint without keys.</param>
    /// <param name="keySetting">The setting that named it, for the error.</param>
    /// <exception cref="InvalidOperationException">The variable is named but not set.</exception>
    public static string ApiKey(string? keyVariable, string keySetting)
    {
        if (keyVariable is null)
        {
            return "unused";
        }

        return Environment.GetEnvironmentVariable(keyVariable)?.Trim() is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{keySetting} names {keyVariable}, which is not set; set it to the endpoint's API key, or leave the setting out for an endpoint without keys.");
    }

    private static OpenAIClient CreateClient(Uri endpoint, string? keyVariable, string keySetting, ModelRescorerOptions options, HttpClient http)
    {
        return new OpenAIClient(new ApiKeyCredential(ApiKey(keyVariable, keySetting)), new OpenAIClientOptions
        {
            Endpoint = endpoint,
            Transport = new HttpClientPipelineTransport(http),

            // The panel is the retry: a judge that fails is left out, and a retry would outlast the timeout.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),

            // The re-scorer's own timeout (on the TimeProvider) governs; this only backs it up.
            NetworkTimeout = options.Timeout + TimeSpan.FromSeconds(30),
        });
    }

    /// <summary>A <c>webhook</c> re-scorer that POSTs to <see cref="WebhookRescorerOptions.Url"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid (every problem in the message).</exception>
    public static IRescorer Create(WebhookRescorerOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ThrowIfInvalid(RescorerOptionsValidator.Validate(options, "rescorer"));
        return new WebhookRescorer(options, RescorerHttp.CreateClient(options.MaxResponseBytes), timeProvider);
    }

    private static void ThrowIfInvalid(IReadOnlyList<string> errors)
    {
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), "options");
        }
    }
}
