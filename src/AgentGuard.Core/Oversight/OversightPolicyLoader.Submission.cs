using System.Globalization;
using System.Text.RegularExpressions;
using AgentGuard.Policy;
using YamlDotNet.RepresentationModel;

namespace AgentGuard.Oversight;

/// <summary>The oversight loader's reading of an evaluation's submission: a tool call or a report, its patterns, and the subject.</summary>
internal sealed partial class OversightPolicyLoader
{
    private SubmissionSource? ReadSubmission(YamlFile file, YamlNode node, string label)
    {
        if (node is not YamlMappingNode mapping || mapping.Children.Count != 1)
        {
            file.Error(node, $"{label} submission must be one of 'report:' or 'call:'");
            return null;
        }

        var ok = true;
        foreach (var (kind, _, value) in file.Entries(mapping, $"{label} submission", "report", "call"))
        {
            var where = $"{label} submission {kind}";
            if (value is not YamlMappingNode body)
            {
                file.Error(value, $"{where} must be a mapping");
                return null;
            }

            IReadOnlyList<string>? tools = null;
            JsonPath? subject = null, score = null, threshold = null, grade = null, text = null, fileArgument = null;
            IReadOnlyList<string> files = [];
            var patterns = ReportPatterns.Default;
            string[] allowed = kind == "call"
                ? ["tools", "subject", "score", "threshold", "grade"]
                : ["tools", "text", "file", "files", "patterns"];
            foreach (var (key, _, item) in file.Entries(body, where, allowed))
            {
                switch (key)
                {
                    case "tools": tools = Globs(file, item, $"{where} tools", ref ok); break;
                    case "subject": subject = Path(file, item, $"{where} subject", ref ok); break;
                    case "score": score = Path(file, item, $"{where} score", ref ok); break;
                    case "threshold": threshold = Path(file, item, $"{where} threshold", ref ok); break;
                    case "grade": grade = Path(file, item, $"{where} grade", ref ok); break;
                    case "text": text = Path(file, item, $"{where} text", ref ok); break;
                    case "file": fileArgument = Path(file, item, $"{where} file", ref ok); break;
                    case "files": files = Globs(file, item, $"{where} files", ref ok); break;
                    case "patterns":
                        var read = ReadPatterns(file, item, where);
                        ok &= read is not null;
                        patterns = read ?? patterns;
                        break;
                }
            }

            if (kind == "report")
            {
                tools ??= ["create_file", "write_file", "append_to_file"];
            }
            else if (tools is null || (score is null && grade is null))
            {
                file.Error(body, $"{where} needs 'tools' and a 'score' or 'grade' argument path, e.g. {{ tools: [submit_score], score: $.score }}");
                return null;
            }

            if (!ok || tools.Count == 0)
            {
                return null;
            }

            return new SubmissionSource
            {
                Kind = kind == "call" ? SubmissionKind.ToolCall : SubmissionKind.Report,
                Tools = tools,
                ToolMatcher = new NameMatcher(tools),
                SubjectPath = subject,
                ScorePath = score,
                ThresholdPath = threshold,
                GradePath = grade,
                TextPath = text ?? JsonPath.Parse("$.content", out _),
                FilePath = fileArgument ?? JsonPath.Parse("$.filename", out _),
                Files = files,
                FileMatcher = files.Count > 0 ? new NameMatcher(files) : null,
                Patterns = patterns,
            };
        }

        return null;
    }

    private static ReportPatterns? ReadPatterns(YamlFile file, YamlNode node, string where)
    {
        if (node is not YamlMappingNode mapping)
        {
            file.Error(node, $"{where} patterns must be a mapping (score, grade, threshold, counts, item, pass_words, fail_words, excluded_words)");
            return null;
        }

        var ok = true;
        var defaults = ReportPatterns.Default;
        Regex? score = null, grade = null, threshold = null, item = null;
        List<Regex>? counts = null;
        List<string>? pass = null, fail = null, excluded = null;
        foreach (var (key, _, value) in file.Entries(mapping, $"{where} patterns", "score", "grade", "threshold", "counts", "item", "pass_words", "fail_words", "excluded_words"))
        {
            switch (key)
            {
                case "score": score = Pattern(file, value, $"{where} patterns score", "score"); ok &= score is not null; break;
                case "grade": grade = Pattern(file, value, $"{where} patterns grade", "grade"); ok &= grade is not null; break;
                case "threshold": threshold = Pattern(file, value, $"{where} patterns threshold", "threshold"); ok &= threshold is not null; break;
                case "item":
                    item = Pattern(file, value, $"{where} patterns item", "id");
                    ok &= item is not null;
                    break;
                case "counts":
                    counts = [];
                    foreach (var (text, countNode) in file.List(value, $"{where} patterns counts") ?? [])
                    {
                        var regex = Compile(file, countNode, text, $"{where} patterns counts");
                        if (regex is null)
                        {
                            ok = false;
                        }
                        else if (regex.GroupNumberFromName("correct") < 0 && regex.GroupNumberFromName("scored") < 0 && regex.GroupNumberFromName("total") < 0)
                        {
                            file.Error(countNode, $"{where} patterns counts '{text}' has none of the groups (?<correct>...), (?<scored>...), (?<total>...)");
                            ok = false;
                        }
                        else
                        {
                            counts.Add(regex);
                        }
                    }

                    break;
                case "pass_words": pass = Words(file, value, $"{where} patterns pass_words"); ok &= pass is not null; break;
                case "fail_words": fail = Words(file, value, $"{where} patterns fail_words"); ok &= fail is not null; break;
                case "excluded_words": excluded = Words(file, value, $"{where} patterns excluded_words"); ok &= excluded is not null; break;
            }
        }

        return ok
            ? new ReportPatterns
            {
                Score = score ?? defaults.Score,
                Grade = grade ?? defaults.Grade,
                Threshold = threshold ?? defaults.Threshold,
                Counts = counts ?? defaults.Counts,
                Item = item ?? defaults.Item,
                PassWords = pass ?? defaults.PassWords,
                FailWords = fail ?? defaults.FailWords,
                ExcludedWords = excluded ?? defaults.ExcludedWords,
            }
            : null;
    }

    private static List<string>? Words(YamlFile file, YamlNode node, string where)
        => file.List(node, where)?.ConvertAll(w => w.Value.ToLowerInvariant());

    private static SubjectSource? ReadSubject(YamlFile file, YamlNode node, string label)
    {
        if (node is YamlScalarNode)
        {
            return file.Scalar(node, $"{label} subject") is { Length: > 0 } literal ? new SubjectSource { Literal = literal } : null;
        }

        if (node is not YamlMappingNode mapping || mapping.Children.Count == 0)
        {
            file.Error(node, $"{label} subject must be a name, {{ column: Name }} or {{ pattern: '...(?<subject>...)', in: report }}");
            return null;
        }

        string? column = null;
        Regex? pattern = null;
        var inEvidence = false;
        var ok = true;
        foreach (var (key, _, value) in file.Entries(mapping, $"{label} subject", "column", "pattern", "in"))
        {
            switch (key)
            {
                case "column": column = file.Scalar(value, $"{label} subject column"); ok &= column is not null; break;
                case "pattern": pattern = Pattern(file, value, $"{label} subject pattern", "subject"); ok &= pattern is not null; break;
                case "in":
                    switch (file.Scalar(value, $"{label} subject in"))
                    {
                        case "report": inEvidence = false; break;
                        case "evidence": inEvidence = true; break;
                        case { } other: file.Error(value, $"{label} subject in '{other}' is unknown; use report or evidence"); ok = false; break;
                        default: ok = false; break;
                    }

                    break;
            }
        }

        if (ok && (column is null) == (pattern is null))
        {
            file.Error(node, $"{label} subject needs exactly one of 'column' and 'pattern'");
            ok = false;
        }

        return ok ? new SubjectSource { Column = column, Pattern = pattern, PatternInEvidence = inEvidence } : null;
    }
}
