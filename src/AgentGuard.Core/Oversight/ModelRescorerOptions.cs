namespace AgentGuard.Oversight;

/// <summary>
/// The <c>model</c> re-scorer: one judge, or a panel of several, behind an OpenAI-compatible
/// chat-completions endpoint (Ollama, vLLM, Azure OpenAI, OpenAI). Built by
/// <see cref="RescorerFactory.Create(ModelRescorerOptions, TimeProvider, Microsoft.Extensions.Logging.ILoggerFactory?)"/>;
/// checked by <see cref="RescorerOptionsValidator"/>. In a policy:
/// <c>rescorer: { kind: model, endpoint, models, api_key_env, judges, timeout, temperature, max_output_tokens, json_schema, max_response_bytes }</c>.
/// </summary>
public sealed record ModelRescorerOptions
{
    /// <summary>The longest accepted <see cref="Timeout"/>: 10 minutes.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The largest accepted <see cref="MaxResponseBytes"/>: 16 MiB.</summary>
    public const int MaxAllowedResponseBytes = 16 * 1024 * 1024;

    /// <summary>
    /// The API's base URL, the part before <c>/chat/completions</c>: <c>http://127.0.0.1:11434/v1</c>
    /// (Ollama), <c>http://vllm:8000/v1</c>, <c>https://api.openai.com/v1</c>,
    /// <c>https://NAME.openai.azure.com/openai/v1</c>. Required with <see cref="Models"/>; http or https.
    /// </summary>
    public Uri? Endpoint { get; init; }

    /// <summary>
    /// The judges' model names on <see cref="Endpoint"/>. One model is a single judge; several are a
    /// panel whose median score (or median grade) counts and whose majority decides each item.
    /// With <see cref="Judges"/>, at least one judge in all and at most 9; no name twice.
    /// </summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>Judges on endpoints of their own, joined to the panel of <see cref="Models"/>. Default none.</summary>
    public IReadOnlyList<ModelJudgeOptions> Judges { get; init; } = [];

    /// <summary>
    /// The name of the environment variable holding the API key (e.g. <c>OPENAI_API_KEY</c>), never
    /// the key itself. Default none: no key is needed (a local Ollama or vLLM).
    /// </summary>
    public string? ApiKeyEnvironmentVariable { get; init; }

    /// <summary>How long one judge may take to answer; a judge that takes longer is left out of the panel. Default 60 seconds; range 100 ms to 10 minutes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The sampling temperature. Default 0 (the most repeatable grading); range 0 to 2.</summary>
    public float Temperature { get; init; }

    /// <summary>The most tokens a judge may write. Default 4,096; range 256 to 131,072. A judge cut off at this length is a failed judge.</summary>
    public int MaxOutputTokens { get; init; } = 4096;

    /// <summary>
    /// Whether the judge is held to the answer's JSON schema (<c>response_format</c> <c>json_schema</c>).
    /// Default true. Set false for a server that only knows <c>json_object</c>; the answer is checked
    /// against the same shape either way.
    /// </summary>
    public bool JsonSchema { get; init; } = true;

    /// <summary>The largest HTTP response read from the endpoint; a larger one fails that judge. Default 1 MiB; range 4 KiB to 16 MiB.</summary>
    public int MaxResponseBytes { get; init; } = 1024 * 1024;
}
