namespace AgentGuard.Oversight;

/// <summary>
/// One judge on an endpoint of its own, joined to a <c>model</c> re-scorer's panel
/// (<see cref="ModelRescorerOptions.Judges"/>): a panel that mixes providers or model families does
/// not share one family's blind spots. In a policy: <c>judges: [{ endpoint, model, api_key_env }]</c>.
/// </summary>
public sealed record ModelJudgeOptions
{
    /// <summary>The API's base URL, the part before <c>/chat/completions</c>. Required; http or https.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The model's name on <see cref="Endpoint"/>. Required; no judge of the panel may have the same name.</summary>
    public string? Model { get; init; }

    /// <summary>The name of the environment variable holding this endpoint's API key. Default none.</summary>
    public string? ApiKeyEnvironmentVariable { get; init; }
}
