namespace AgentGuard.Oversight;

/// <summary>
/// The <c>webhook</c> re-scorer: a team's own grader, sent the <see cref="RescoreRequest"/> as JSON
/// in a POST and answering with a <see cref="Rescore"/> as JSON (the schema is in the README,
/// "Re-scoring with a model or a webhook"). Built by
/// <see cref="RescorerFactory.Create(WebhookRescorerOptions, TimeProvider)"/>;
/// checked by <see cref="RescorerOptionsValidator"/>. In a policy:
/// <c>rescorer: { kind: webhook, url, timeout, token_env, token_file, max_response_bytes }</c>.
/// </summary>
public sealed record WebhookRescorerOptions
{
    /// <summary>The largest accepted <see cref="MaxResponseBytes"/>: 16 MiB.</summary>
    public const int MaxAllowedResponseBytes = 16 * 1024 * 1024;

    /// <summary>The grader's URL, which takes the POST. Required; http or https.</summary>
    public Uri? Url { get; init; }

    /// <summary>How long the grader may take to answer, headers and body. Default 30 seconds; range 100 ms to 10 minutes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The name of an environment variable holding a bearer token sent as <c>Authorization: Bearer</c>.
    /// Default none. Not together with <see cref="TokenFile"/>.
    /// </summary>
    public string? TokenEnvironmentVariable { get; init; }

    /// <summary>
    /// A file holding the bearer token (a mounted secret); read at each call, so a rotated token is
    /// used at once. Default none. Not together with <see cref="TokenEnvironmentVariable"/>.
    /// </summary>
    public string? TokenFile { get; init; }

    /// <summary>The largest answer read from the grader; a larger one is an error. Default 1 MiB; range 4 KiB to 16 MiB.</summary>
    public int MaxResponseBytes { get; init; } = 1024 * 1024;
}
