namespace AgentGuard.Oversight;

/// <summary>
/// Which re-scorer checks an evaluation, and its settings as the policy gives them. The
/// <c>reference</c> re-scorer's answer key is loaded and validated with the policy; the
/// <c>model</c> and <c>webhook</c> settings are kept for those re-scorers to read.
/// </summary>
public sealed class RescorerSettings
{
    /// <summary>The default: the <c>reference</c> re-scorer, with no answer key yet.</summary>
    public static readonly RescorerSettings Reference = new() { Kind = "reference" };

    /// <summary><c>reference</c>, <c>model</c> or <c>webhook</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>For <c>reference</c>: the answer key, loaded.</summary>
    public AnswerKey? AnswerKey { get; init; }

    /// <summary>For <c>reference</c>: the answer key's full path.</summary>
    public string? AnswerKeyPath { get; init; }

    /// <summary>For <c>model</c>: the OpenAI-compatible endpoint, e.g. <c>http://localhost:11434/v1</c>.</summary>
    public string? Endpoint { get; init; }

    /// <summary>For <c>model</c>: the judge models; more than one makes a panel whose median counts.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>For <c>model</c>: the environment variable holding the API key (never the key itself).</summary>
    public string? ApiKeyEnvironmentVariable { get; init; }

    /// <summary>For <c>webhook</c>: the grader's URL.</summary>
    public string? Url { get; init; }

    /// <summary>How long one re-score may take; <see langword="null"/> for the evaluation's timeout.</summary>
    public TimeSpan? Timeout { get; init; }
}
