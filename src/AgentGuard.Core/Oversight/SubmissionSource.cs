using AgentGuard.Policy;

namespace AgentGuard.Oversight;

/// <summary>Which calls are an evaluation's submission, and where in them the result is.</summary>
public sealed class SubmissionSource
{
    /// <summary>A tool call or a report file.</summary>
    public required SubmissionKind Kind { get; init; }

    /// <summary>The tool name globs, e.g. <c>submit_score</c> or <c>create_file</c>, <c>write_file</c>, <c>append_to_file</c>.</summary>
    public required IReadOnlyList<string> Tools { get; init; }

    /// <summary>For a tool call: the argument naming the subject.</summary>
    public JsonPath? SubjectPath { get; init; }

    /// <summary>For a tool call: the argument holding the score.</summary>
    public JsonPath? ScorePath { get; init; }

    /// <summary>For a tool call: the argument holding the threshold the evaluator applied.</summary>
    public JsonPath? ThresholdPath { get; init; }

    /// <summary>For a tool call: the argument holding the grade.</summary>
    public JsonPath? GradePath { get; init; }

    /// <summary>For a report: the argument holding the text. Default <c>content</c>.</summary>
    public JsonPath? TextPath { get; init; }

    /// <summary>For a report: the argument holding the file name. Default <c>filename</c> (<c>append_to_file</c>'s <c>file_id</c> is tried too).</summary>
    public JsonPath? FilePath { get; init; }

    /// <summary>For a report: globs the file name must match (e.g. <c>*report*</c>); none means any file whose text holds a result.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>For a report: how its text gives the result.</summary>
    public ReportPatterns Patterns { get; init; } = ReportPatterns.Default;

    internal NameMatcher ToolMatcher { get; init; } = null!;

    internal NameMatcher? FileMatcher { get; init; }
}
