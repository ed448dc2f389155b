using System.Text.RegularExpressions;
using AgentGuard.Policy;

namespace AgentGuard.Oversight;

/// <summary>
/// One evaluation a policy declares: which calls are its submission, which tool results are its
/// evidence (the data sheet, split into items, and the rubric whose threshold the guard reads
/// itself), how results are expressed, how far a submission may stray, and which re-scorer checks it.
/// </summary>
public sealed class Evaluation
{
    /// <summary>The default tolerance, in points: a submission within it of the re-score agrees (unless they fall on different sides of the threshold).</summary>
    public const double DefaultTolerance = 5;

    /// <summary>The default time a re-score may take before the evaluation is unverified.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The evaluation's name, unique in the policy.</summary>
    public required string Name { get; init; }

    /// <summary>Agent id or role globs the evaluation applies to; empty for any agent.</summary>
    public IReadOnlyList<string> Evaluators { get; init; } = [];

    /// <summary>Which calls submit a result, and where the result is in them.</summary>
    public required SubmissionSource Submission { get; init; }

    /// <summary>Who the evaluation is about.</summary>
    public required SubjectSource Subject { get; init; }

    /// <summary>The data evidence: the results whose items are scored.</summary>
    public required EvidenceSelector Data { get; init; }

    /// <summary>How the data evidence splits into items.</summary>
    public TableFormat Table { get; init; } = TableFormat.Default;

    /// <summary>The rubric or policy document, the re-scorer's instructions and where the threshold is read; optional.</summary>
    public EvidenceSelector? Rubric { get; init; }

    /// <summary>Reads the threshold from the rubric (group <c>threshold</c>), e.g. <c>Minimum average performance score: (?&lt;threshold&gt;\d+)%</c>.</summary>
    public Regex? ThresholdPattern { get; init; }

    /// <summary>The threshold the policy gives, used when none is read from the rubric.</summary>
    public double? Threshold { get; init; }

    /// <summary>Percent, or grades.</summary>
    public EvaluationScale Scale { get; init; } = EvaluationScale.Percent;

    /// <summary>How far, in points, a submitted score may be from the re-score. Default 5.</summary>
    public double Tolerance { get; init; } = DefaultTolerance;

    /// <summary>The re-scorer and its settings.</summary>
    public RescorerSettings Rescorer { get; init; } = RescorerSettings.Reference;

    /// <summary>Async (the default) or sync.</summary>
    public EvaluationMode Mode { get; init; } = EvaluationMode.Async;

    /// <summary>How long a re-score may take before the evaluation is unverified. Default 60 s.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    internal NameMatcher? EvaluatorMatcher { get; init; }

    /// <summary>Whether a call of <paramref name="tool"/> may be this evaluation's submission (for a sync evaluation, the call the proxy holds).</summary>
    public bool IsSubmissionTool(string? tool) => Submission.ToolMatcher.IsMatch(tool);

    /// <summary>Whether the evaluation applies to <paramref name="agent"/> (in <paramref name="role"/>, when known).</summary>
    public bool AppliesTo(string agent, string? role)
        => EvaluatorMatcher is null || EvaluatorMatcher.IsMatch(agent) || EvaluatorMatcher.IsMatch(role);
}
