using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentGuard.Policy;
using AgentGuard.Sessions;

namespace AgentGuard.Oversight;

/// <summary>
/// Reads a submission from a call: a tool call's arguments by JSON path, or a report's text by the
/// evaluation's patterns. Never throws on what an agent wrote: a report the patterns cannot read
/// is a problem to record, not an error.
/// </summary>
internal static class SubmissionExtractor
{
    /// <summary>The most report text read; past it the report is cut (patterns are linear, but a submission is not a data dump).</summary>
    public const int MaxReportChars = 1024 * 1024;

    /// <summary>The most per-item lines read from one report.</summary>
    public const int MaxItems = 10_000;

    private static readonly JsonPath s_fileId = JsonPath.Parse("$.file_id", out _)!;
    private static readonly JsonPath s_path = JsonPath.Parse("$.path", out _)!;

    public static SubmissionRead Read(Evaluation evaluation, SessionCall call, IReadOnlyList<SessionCall> calls, string agent, EvaluationEvidence evidence)
    {
        var source = evaluation.Submission;
        if (call.Decision == DecisionKind.Deny || !source.ToolMatcher.IsMatch(call.Tool))
        {
            return SubmissionRead.None;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(call.Arguments, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return SubmissionRead.None;
        }

        using (document)
        {
            return source.Kind == SubmissionKind.ToolCall
                ? ReadCall(evaluation, call, document.RootElement, agent, evidence)
                : ReadReport(evaluation, call, document.RootElement, calls, agent, evidence);
        }
    }

    private static SubmissionRead ReadCall(Evaluation evaluation, SessionCall call, JsonElement arguments, string agent, EvaluationEvidence evidence)
    {
        var source = evaluation.Submission;
        var scoreText = source.ScorePath?.Select(arguments);
        var grade = source.GradePath?.Select(arguments)?.Trim();
        double? score = Numbers.TryFirst(scoreText, out var parsed) ? parsed : null;
        if (score is null && string.IsNullOrEmpty(grade))
        {
            return new SubmissionRead(null, $"the {call.Tool} call carries no score or grade at {source.ScorePath?.Text ?? source.GradePath?.Text}");
        }

        double? threshold = Numbers.TryFirst(source.ThresholdPath?.Select(arguments), out var t) ? t : null;
        var claimed = source.SubjectPath?.Select(arguments);
        var subject = Subject(evaluation, null, evidence) ?? claimed;
        return new SubmissionRead(
            new Submission(evaluation.Name, agent, subject, score, string.IsNullOrEmpty(grade) ? null : grade, threshold, [], [], null, null, null, null, call.Reference, call.Time),
            null);
    }

    private static SubmissionRead ReadReport(
        Evaluation evaluation, SessionCall call, JsonElement arguments, IReadOnlyList<SessionCall> calls, string agent, EvaluationEvidence evidence)
    {
        var source = evaluation.Submission;
        var text = source.TextPath?.Select(arguments);
        var file = source.FilePath?.Select(arguments) ?? s_fileId.Select(arguments) ?? s_path.Select(arguments);
        if (text is null || (source.FileMatcher is not null && !source.FileMatcher.IsMatch(file)))
        {
            return SubmissionRead.None;
        }

        // An append adds to what earlier writes of the same file in the session said.
        if (file is not null && call.Tool.Contains("append", StringComparison.OrdinalIgnoreCase))
        {
            text = Earlier(source, calls, call, file) + text;
        }

        if (text.Length > MaxReportChars)
        {
            text = text[..MaxReportChars];
        }

        var patterns = source.Patterns;
        var score = FirstScore(patterns.Score, text);
        var grade = First(patterns.Grade, text, "grade");
        if (score is null && grade is null)
        {
            // A file the policy names as the report must hold a result; any other file is just a file.
            return source.FileMatcher is not null
                ? new SubmissionRead(null, $"the report '{file}' holds no score or grade the evaluation's patterns read")
                : SubmissionRead.None;
        }

        double? threshold = Numbers.TryFirst(First(patterns.Threshold, text, "threshold"), out var t) ? t : null;
        int? correct = null, scored = null, total = null;
        foreach (var pattern in patterns.Counts)
        {
            correct ??= Count(pattern, text, "correct");
            scored ??= Count(pattern, text, "scored");
            total ??= Count(pattern, text, "total");
        }

        var (items, excluded) = Items(patterns, text);
        return new SubmissionRead(
            new Submission(
                evaluation.Name, agent, Subject(evaluation, text, evidence), score is { } s ? s : null, grade, threshold,
                items, excluded, correct, scored, total, file, call.Reference, call.Time),
            null);
    }

    private static string Earlier(SubmissionSource source, IReadOnlyList<SessionCall> calls, SessionCall call, string file)
    {
        var text = new StringBuilder();
        foreach (var earlier in calls)
        {
            if (ReferenceEquals(earlier, call) || earlier.Reference == call.Reference)
            {
                break;
            }

            if (earlier.Decision == DecisionKind.Deny || !source.ToolMatcher.IsMatch(earlier.Tool))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(earlier.Arguments);
                var name = source.FilePath?.Select(document.RootElement) ?? s_fileId.Select(document.RootElement) ?? s_path.Select(document.RootElement);
                if (string.Equals(name, file, StringComparison.Ordinal) && source.TextPath?.Select(document.RootElement) is { } part)
                {
                    if (!earlier.Tool.Contains("append", StringComparison.OrdinalIgnoreCase))
                    {
                        text.Clear();
                    }

                    text.Append(part).Append('\n');
                    if (text.Length > MaxReportChars)
                    {
                        break;
                    }
                }
            }
            catch (JsonException)
            {
            }
        }

        return text.ToString();
    }

    /// <summary>The subject as the evaluation's subject source gives it, or <see langword="null"/>.</summary>
    internal static string? Subject(Evaluation evaluation, string? report, EvaluationEvidence evidence)
    {
        var subject = evaluation.Subject;
        if (subject.Literal is not null)
        {
            return subject.Literal;
        }

        if (subject.Column is not null)
        {
            foreach (var item in evidence.Items)
            {
                if (item.Fields.TryGetValue(subject.Column, out var value) && value.Length > 0)
                {
                    return value;
                }
            }

            return null;
        }

        if (subject.Pattern is null)
        {
            return null;
        }

        if (!subject.PatternInEvidence)
        {
            return report is null ? null : First(subject.Pattern, report, "subject");
        }

        return First(subject.Pattern, evidence.Data?.Content ?? string.Empty, "subject")
            ?? First(subject.Pattern, evidence.Rubric?.Content ?? string.Empty, "subject");
    }

    internal static string? First(Regex pattern, string text, string group)
    {
        var match = pattern.Match(text);
        while (match.Success)
        {
            var value = match.Groups[group];
            if (value.Success && value.Value.Trim().Length > 0)
            {
                return value.Value.Trim();
            }

            match = match.NextMatch();
        }

        return null;
    }

    /// <summary>The first score match not on a line that states the threshold ("Minimum average performance score: 80%" quoted from the rubric).</summary>
    private static double? FirstScore(Regex pattern, string text)
    {
        foreach (Match match in pattern.Matches(text))
        {
            var lineStart = text.LastIndexOf('\n', match.Index) + 1;
            var lineEnd = text.IndexOf('\n', match.Index + match.Length);
            var line = text.AsSpan(lineStart, (lineEnd < 0 ? text.Length : lineEnd) - lineStart);
            if (line.Contains("minimum", StringComparison.OrdinalIgnoreCase)
                || line.Contains("threshold", StringComparison.OrdinalIgnoreCase)
                || line.Contains("required", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (Numbers.TryFirst(match.Groups["score"].Value, out var score))
            {
                return score;
            }
        }

        return null;
    }

    private static int? Count(Regex pattern, string text, string group)
    {
        if (pattern.GroupNumberFromName(group) < 0)
        {
            return null;
        }

        return int.TryParse(First(pattern, text, group), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null;
    }

    private static (List<ItemScore> Items, List<string> Excluded) Items(ReportPatterns patterns, string text)
    {
        var items = new List<ItemScore>();
        var excluded = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var hasResult = patterns.Item.GroupNumberFromName("result") >= 0;
        var hasScore = patterns.Item.GroupNumberFromName("score") >= 0;
        foreach (Match match in patterns.Item.Matches(text))
        {
            if (items.Count + excluded.Count >= MaxItems)
            {
                break;
            }

            var id = match.Groups["id"].Value.Trim();
            if (id.Length == 0 || !seen.Add(id))
            {
                continue;
            }

            // What follows the id on the line: the verdict words or the score.
            var rest = hasResult && match.Groups["result"].Success
                ? match.Groups["result"].Value
                : match.Value[(match.Groups["id"].Index + match.Groups["id"].Length - match.Index)..];
            var lower = rest.ToLowerInvariant();
            if (ContainsAny(lower, patterns.ExcludedWords))
            {
                excluded.Add(id);
            }
            else if (ContainsAny(lower, patterns.FailWords))
            {
                items.Add(new ItemScore(id, false, null));
            }
            else if (ContainsAny(lower, patterns.PassWords))
            {
                items.Add(new ItemScore(id, true, null));
            }
            else if (Numbers.TryFirst(hasScore && match.Groups["score"].Success ? match.Groups["score"].Value : rest, out var score))
            {
                items.Add(new ItemScore(id, null, score));
            }
            else
            {
                seen.Remove(id);
            }
        }

        return (items, excluded);
    }

    /// <summary>Whether <paramref name="text"/> holds one of <paramref name="words"/> as a whole word.</summary>
    private static bool ContainsAny(string text, IReadOnlyList<string> words)
    {
        foreach (var word in words)
        {
            for (var at = text.IndexOf(word, StringComparison.Ordinal); at >= 0; at = text.IndexOf(word, at + 1, StringComparison.Ordinal))
            {
                var before = at == 0 || !char.IsLetter(text[at - 1]);
                var end = at + word.Length;
                var after = end >= text.Length || !char.IsLetter(text[end]);
                if (before && after)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
