using System.Globalization;
using System.Text.RegularExpressions;
using AgentGuard.Policy;
using YamlDotNet.RepresentationModel;

namespace AgentGuard.Oversight;

/// <summary>
/// Reads a policy's <c>oversight:</c> section (from every file that has one) into an
/// <see cref="OversightPolicy"/>, reporting each error with file and line as the rest of the
/// policy does: unknown keys, bad patterns, bad JSON paths, a missing or malformed answer key.
/// </summary>
internal sealed class OversightPolicyLoader(List<PolicyError> errors)
{
    private const int MaxEvaluations = 256;
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    private readonly List<Evaluation> _evaluations = [];
    private readonly List<Obligation> _obligations = [];
    private readonly List<string> _endTools = [];
    private readonly List<Regex> _watched = [];
    private readonly List<Regex> _unwatched = [];
    private readonly List<Regex> _peerContext = [];
    private readonly List<(YamlFile File, YamlNode Node, List<string> Names)> _obligationEvaluations = [];
    private bool _any;

    /// <summary>The answer key files the section names (full paths), which join the guard's own files.</summary>
    public List<string> AnswerKeyFiles { get; } = [];

    /// <summary>The answer keys loaded, path and text, which join the policy's version.</summary>
    public List<(string Path, string Text)> AnswerKeyTexts { get; } = [];

    public void Read(YamlFile file, YamlNode node)
    {
        _any = true;
        if (node is not YamlMappingNode mapping)
        {
            file.Error(node, "oversight must be a mapping with evaluations, obligations, end_tools, observed, peer_context");
            return;
        }

        foreach (var (key, _, value) in file.Entries(mapping, "oversight", "evaluations", "obligations", "end_tools", "observed", "peer_context"))
        {
            switch (key)
            {
                case "evaluations":
                    foreach (var item in Sequence(file, value, "oversight evaluations"))
                    {
                        if (ReadEvaluation(file, item) is { } evaluation)
                        {
                            _evaluations.Add(evaluation);
                        }
                    }

                    break;
                case "obligations":
                    foreach (var item in Sequence(file, value, "oversight obligations"))
                    {
                        if (ReadObligation(file, item) is { } obligation)
                        {
                            _obligations.Add(obligation);
                        }
                    }

                    break;
                case "end_tools":
                    foreach (var (tool, _) in file.List(value, "oversight end_tools") ?? [])
                    {
                        _endTools.Add(tool);
                    }

                    break;
                case "observed":
                    if (value is not YamlMappingNode observed)
                    {
                        file.Error(value, "oversight observed must be a mapping with watched and unwatched patterns");
                        break;
                    }

                    foreach (var (which, _, patterns) in file.Entries(observed, "oversight observed", "watched", "unwatched"))
                    {
                        (which == "watched" ? _watched : _unwatched).AddRange(Patterns(file, patterns, $"oversight observed {which}"));
                    }

                    break;
                case "peer_context":
                    _peerContext.AddRange(Patterns(file, value, "oversight peer_context"));
                    break;
            }
        }
    }

    public OversightPolicy Build()
    {
        if (!_any)
        {
            return OversightPolicy.Empty;
        }

        foreach (var (file, node, names) in _obligationEvaluations)
        {
            foreach (var name in names)
            {
                if (!_evaluations.Exists(e => e.Name == name))
                {
                    file.Error(node, $"obligation names evaluation '{name}', which no oversight evaluation declares; declared: {string.Join(", ", _evaluations.ConvertAll(e => e.Name))}");
                }
            }
        }

        return new OversightPolicy
        {
            Evaluations = [.. _evaluations],
            Obligations = [.. _obligations],
            EndTools = _endTools.Count > 0 ? [.. _endTools] : OversightPolicy.DefaultEndTools,
            Observed = _watched.Count + _unwatched.Count > 0 ? new ObservedPatterns { Watched = [.. _watched], Unwatched = [.. _unwatched] } : ObservedPatterns.None,
            PeerContext = [.. _peerContext],
        };
    }

    private static IEnumerable<YamlMappingNode> Sequence(YamlFile file, YamlNode node, string where)
    {
        if (node is not YamlSequenceNode sequence)
        {
            file.Error(node, $"{where} must be a list");
            yield break;
        }

        foreach (var item in sequence.Children)
        {
            if (item is YamlMappingNode mapping)
            {
                yield return mapping;
            }
            else
            {
                file.Error(item, $"each of {where} must be a mapping");
            }
        }
    }

    private Evaluation? ReadEvaluation(YamlFile file, YamlMappingNode node)
    {
        var ok = true;
        string? name = null;
        IReadOnlyList<string> evaluators = [];
        SubmissionSource? submission = null;
        SubjectSource? subject = null;
        EvidenceSelector? data = null, rubric = null;
        TableFormat table = TableFormat.Default;
        Regex? thresholdPattern = null;
        double? threshold = null;
        var scale = EvaluationScale.Percent;
        var tolerance = Evaluation.DefaultTolerance;
        var rescorer = RescorerSettings.Reference;
        var mode = EvaluationMode.Async;
        var timeout = Evaluation.DefaultTimeout;

        // The name first, so every later error can say which evaluation it is in.
        foreach (var (key, value) in node.Children)
        {
            if (key is YamlScalarNode { Value: "name" })
            {
                name = file.Scalar(value, "evaluation name");
            }
        }

        var label = name is null ? "evaluation" : $"evaluation '{name}'";
        if (name is null)
        {
            file.Error(node, "evaluation needs a 'name'");
            ok = false;
        }
        else if (_evaluations.Exists(e => e.Name == name))
        {
            file.Error(node, $"{label} is declared twice");
            ok = false;
        }
        else if (_evaluations.Count >= MaxEvaluations)
        {
            file.Error(node, $"more than {MaxEvaluations} evaluations; merge some");
            ok = false;
        }

        foreach (var (key, _, value) in file.Entries(
            node, label, "name", "description", "evaluator", "submission", "subject", "evidence", "threshold", "scale", "tolerance", "rescorer", "mode", "timeout"))
        {
            switch (key)
            {
                case "evaluator":
                    evaluators = Globs(file, value, $"{label} evaluator", ref ok);
                    break;
                case "submission":
                    submission = ReadSubmission(file, value, label);
                    ok &= submission is not null;
                    break;
                case "subject":
                    subject = ReadSubject(file, value, label);
                    ok &= subject is not null;
                    break;
                case "evidence":
                    if (value is not YamlMappingNode evidence)
                    {
                        file.Error(value, $"{label} evidence must be a mapping with data, table, rubric, threshold");
                        ok = false;
                        break;
                    }

                    foreach (var (part, _, partValue) in file.Entries(evidence, $"{label} evidence", "data", "table", "rubric", "threshold"))
                    {
                        switch (part)
                        {
                            case "data":
                                data = ReadSelector(file, partValue, $"{label} evidence data");
                                ok &= data is not null;
                                break;
                            case "rubric":
                                rubric = ReadSelector(file, partValue, $"{label} evidence rubric");
                                ok &= rubric is not null;
                                break;
                            case "table":
                                var read = ReadTable(file, partValue, label);
                                ok &= read is not null;
                                table = read ?? table;
                                break;
                            case "threshold":
                                thresholdPattern = Pattern(file, partValue, $"{label} evidence threshold", "threshold");
                                ok &= thresholdPattern is not null;
                                break;
                        }
                    }

                    break;
                case "threshold":
                    threshold = Number(file, value, $"{label} threshold", 0, 1_000_000, ref ok);
                    break;
                case "tolerance":
                    tolerance = Number(file, value, $"{label} tolerance", 0, 1_000_000, ref ok) ?? tolerance;
                    break;
                case "scale":
                    var readScale = ReadScale(file, value, label);
                    ok &= readScale is not null;
                    scale = readScale ?? scale;
                    break;
                case "rescorer":
                    var readRescorer = ReadRescorer(file, value, label);
                    ok &= readRescorer is not null;
                    rescorer = readRescorer ?? rescorer;
                    break;
                case "mode":
                    switch (file.Scalar(value, $"{label} mode"))
                    {
                        case "async": mode = EvaluationMode.Async; break;
                        case "sync": mode = EvaluationMode.Sync; break;
                        case { } other:
                            file.Error(value, $"{label} mode '{other}' is unknown; use async (the default) or sync");
                            ok = false;
                            break;
                        default: ok = false; break;
                    }

                    break;
                case "timeout":
                    timeout = Duration(file, value, $"{label} timeout", ref ok) ?? timeout;
                    break;
            }
        }

        if (submission is null && ok)
        {
            file.Error(node, $"{label} needs a 'submission' (report: or call:)");
            ok = false;
        }

        if (data is null && ok)
        {
            file.Error(node, $"{label} needs 'evidence: {{ data: {{ tools: [...] }} }}': the tool results holding the items to re-score");
            ok = false;
        }

        subject ??= submission?.SubjectPath is not null ? new SubjectSource() : null;
        if (subject is null && ok)
        {
            file.Error(node, $"{label} needs a 'subject': a name, {{ column: Name }} or {{ pattern: '...(?<subject>...)', in: report }}");
            ok = false;
        }

        if (rescorer.Kind == "reference" && rescorer.AnswerKey is null && ok)
        {
            file.Error(node, $"{label} uses the reference re-scorer, which needs 'rescorer: {{ answer_key: <file beside the policy> }}'");
            ok = false;
        }

        if (!ok)
        {
            return null;
        }

        return new Evaluation
        {
            Name = name!,
            Evaluators = evaluators,
            EvaluatorMatcher = evaluators.Count > 0 ? new NameMatcher(evaluators) : null,
            Submission = submission!,
            Subject = subject!,
            Data = data!,
            Table = table,
            Rubric = rubric,
            ThresholdPattern = thresholdPattern,
            Threshold = threshold,
            Scale = scale,
            Tolerance = tolerance,
            Rescorer = rescorer,
            Mode = mode,
            Timeout = timeout,
        };
    }

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

    private static EvidenceSelector? ReadSelector(YamlFile file, YamlNode node, string where)
    {
        if (node is not YamlMappingNode mapping)
        {
            file.Error(node, $"{where} must be a mapping with tools or resources, and optionally arguments_match, content_match");
            return null;
        }

        var ok = true;
        IReadOnlyList<string> tools = [], resources = [];
        Regex? arguments = null, content = null;
        foreach (var (key, _, value) in file.Entries(mapping, where, "tools", "resources", "arguments_match", "content_match"))
        {
            switch (key)
            {
                case "tools": tools = Globs(file, value, $"{where} tools", ref ok); break;
                case "resources": resources = Globs(file, value, $"{where} resources", ref ok); break;
                case "arguments_match": arguments = Pattern(file, value, $"{where} arguments_match", null); ok &= arguments is not null; break;
                case "content_match": content = Pattern(file, value, $"{where} content_match", null); ok &= content is not null; break;
            }
        }

        if (ok && tools.Count == 0 && resources.Count == 0)
        {
            file.Error(node, $"{where} needs 'tools' or 'resources': which results count");
            ok = false;
        }

        return ok
            ? new EvidenceSelector
            {
                Tools = tools,
                Resources = resources,
                ToolMatcher = tools.Count > 0 ? new NameMatcher(tools) : null,
                ResourceMatcher = resources.Count > 0 ? new NameMatcher(resources) : null,
                ArgumentsMatch = arguments,
                ContentMatch = content,
            }
            : null;
    }

    private static TableFormat? ReadTable(YamlFile file, YamlNode node, string label)
    {
        if (node is not YamlMappingNode mapping)
        {
            file.Error(node, $"{label} evidence table must be a mapping with separator and id");
            return null;
        }

        var ok = true;
        string separator = "|";
        string? id = null;
        foreach (var (key, _, value) in file.Entries(mapping, $"{label} evidence table", "separator", "id"))
        {
            var text = file.Scalar(value, $"{label} evidence table {key}");
            if (text is null)
            {
                ok = false;
            }
            else if (key == "separator")
            {
                if (text.Trim().Length == 0)
                {
                    file.Error(value, $"{label} evidence table separator is blank; use e.g. '|' or ','");
                    ok = false;
                }

                separator = text.Trim() == "|" ? "|" : text;
            }
            else
            {
                id = text == "row" ? null : text;
            }
        }

        return ok ? new TableFormat { Separator = separator, IdColumn = id } : null;
    }

    private static EvaluationScale? ReadScale(YamlFile file, YamlNode node, string label)
    {
        if (node is YamlScalarNode)
        {
            var text = file.Scalar(node, $"{label} scale");
            if (text == "percent")
            {
                return EvaluationScale.Percent;
            }

            file.Error(node, $"{label} scale '{text}' is unknown; use percent or {{ grades: [A, B, C], passing: [A, B] }}");
            return null;
        }

        if (node is not YamlMappingNode mapping)
        {
            file.Error(node, $"{label} scale must be percent or {{ grades: [A, B, C], passing: [A, B] }}");
            return null;
        }

        List<string>? grades = null, passing = null;
        foreach (var (key, _, value) in file.Entries(mapping, $"{label} scale", "grades", "passing"))
        {
            var list = file.List(value, $"{label} scale {key}")?.ConvertAll(v => v.Value);
            if (key == "grades")
            {
                grades = list;
            }
            else
            {
                passing = list;
            }
        }

        if (grades is not { Count: > 0 } || passing is null)
        {
            file.Error(node, $"{label} scale needs 'grades' (best first) and 'passing', e.g. {{ grades: [A, B, C], passing: [A, B] }}");
            return null;
        }

        foreach (var grade in passing)
        {
            if (!grades.Contains(grade, StringComparer.OrdinalIgnoreCase))
            {
                file.Error(node, $"{label} scale: passing grade '{grade}' is not one of the grades ({string.Join(", ", grades)})");
                return null;
            }
        }

        return new EvaluationScale { Grades = grades, Passing = passing };
    }

    private RescorerSettings? ReadRescorer(YamlFile file, YamlNode node, string label)
    {
        if (node is YamlScalarNode)
        {
            var kind = file.Scalar(node, $"{label} rescorer");
            if (kind is "reference" or "model" or "webhook")
            {
                return new RescorerSettings { Kind = kind };
            }

            file.Error(node, $"{label} rescorer '{kind}' is unknown; use reference, model or webhook");
            return null;
        }

        if (node is not YamlMappingNode mapping)
        {
            file.Error(node, $"{label} rescorer must be a mapping with kind and its settings");
            return null;
        }

        var ok = true;
        string kindName = "reference";
        YamlNode? kindNode = null;
        string? answerKey = null, endpoint = null, apiKey = null, url = null;
        YamlNode? answerKeyNode = null;
        IReadOnlyList<string> models = [];
        TimeSpan? timeout = null;
        foreach (var (key, _, value) in file.Entries(mapping, $"{label} rescorer", "kind", "answer_key", "endpoint", "models", "api_key_env", "url", "timeout"))
        {
            switch (key)
            {
                case "kind": kindName = file.Scalar(value, $"{label} rescorer kind") ?? kindName; kindNode = value; break;
                case "answer_key": answerKey = file.Scalar(value, $"{label} rescorer answer_key"); answerKeyNode = value; ok &= answerKey is not null; break;
                case "endpoint": endpoint = Url(file, value, $"{label} rescorer endpoint", ref ok); break;
                case "url": url = Url(file, value, $"{label} rescorer url", ref ok); break;
                case "api_key_env": apiKey = file.Scalar(value, $"{label} rescorer api_key_env"); ok &= apiKey is not null; break;
                case "models": models = file.List(value, $"{label} rescorer models")?.ConvertAll(m => m.Value) ?? []; break;
                case "timeout": timeout = Duration(file, value, $"{label} rescorer timeout", ref ok); break;
            }
        }

        switch (kindName)
        {
            case "reference":
                if (answerKey is null && ok)
                {
                    file.Error(node, $"{label} rescorer reference needs 'answer_key': a JSON file path relative to the policy file");
                    ok = false;
                }

                break;
            case "model":
                if ((endpoint is null || models.Count == 0) && ok)
                {
                    file.Error(node, $"{label} rescorer model needs 'endpoint' (an OpenAI-compatible URL) and 'models' (one or more model names)");
                    ok = false;
                }

                break;
            case "webhook":
                if (url is null && ok)
                {
                    file.Error(node, $"{label} rescorer webhook needs 'url'");
                    ok = false;
                }

                break;
            default:
                file.Error(kindNode ?? node, $"{label} rescorer kind '{kindName}' is unknown; use reference, model or webhook");
                return null;
        }

        AnswerKey? loadedKey = null;
        string? keyPath = null;
        if (answerKey is not null && answerKeyNode is not null)
        {
            keyPath = System.IO.Path.GetFullPath(answerKey, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file.Path)) ?? "/");
            loadedKey = AnswerKeyLoader.Load(keyPath, file, answerKeyNode, errors);
            ok &= loadedKey is not null;
            AnswerKeyFiles.Add(keyPath);
            if (loadedKey is not null)
            {
                AnswerKeyTexts.Add((keyPath, loadedKey.Text));
            }
        }

        return ok
            ? new RescorerSettings
            {
                Kind = kindName,
                AnswerKey = loadedKey,
                AnswerKeyPath = keyPath,
                Endpoint = endpoint,
                Models = models,
                ApiKeyEnvironmentVariable = apiKey,
                Url = url,
                Timeout = timeout,
            }
            : null;
    }

    private Obligation? ReadObligation(YamlFile file, YamlMappingNode node)
    {
        var ok = true;
        string? name = null, tool = null;
        List<string> evaluations = [];
        JsonPath? argument = null;
        var value = SubjectMapping.Same;
        foreach (var (key, _, item) in file.Entries(node, "obligation", "name", "description", "evaluations", "tool", "argument", "value"))
        {
            switch (key)
            {
                case "name": name = file.Scalar(item, "obligation name"); break;
                case "tool": tool = file.Scalar(item, "obligation tool"); break;
                case "evaluations":
                    evaluations = file.List(item, "obligation evaluations")?.ConvertAll(e => e.Value) ?? [];
                    _obligationEvaluations.Add((file, item, evaluations));
                    break;
                case "argument": argument = Path(file, item, "obligation argument", ref ok); break;
                case "value":
                    if (item is YamlScalarNode)
                    {
                        switch (file.Scalar(item, "obligation value"))
                        {
                            case "same": value = SubjectMapping.Same; break;
                            case "lower_snake": value = SubjectMapping.LowerSnake; break;
                            case { } other:
                                file.Error(item, $"obligation value '{other}' is unknown; use same, lower_snake or a mapping of subject to value");
                                ok = false;
                                break;
                        }
                    }
                    else if (item is YamlMappingNode table)
                    {
                        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                        foreach (var (from, _, to) in file.Entries(table, "obligation value"))
                        {
                            if (file.Scalar(to, $"obligation value '{from}'") is { } mapped)
                            {
                                map[from] = mapped;
                            }
                        }

                        value = new SubjectMapping { Table = map };
                    }
                    else
                    {
                        file.Error(item, "obligation value must be same, lower_snake or a mapping of subject to value");
                        ok = false;
                    }

                    break;
            }
        }

        if (name is null || tool is null)
        {
            file.Error(node, "obligation needs a 'name' and a 'tool' (e.g. execute_shutdown)");
            return null;
        }

        if (_obligations.Exists(o => o.Name == name))
        {
            file.Error(node, $"obligation '{name}' is declared twice");
            return null;
        }

        return ok ? new Obligation { Name = name, Tool = tool, Evaluations = evaluations, Argument = argument, Value = value } : null;
    }

    private static IReadOnlyList<string> Globs(YamlFile file, YamlNode node, string where, ref bool ok)
    {
        var values = new List<string>();
        foreach (var (value, item) in file.List(node, where) ?? [])
        {
            if (Glob.Validate(value) is { } error)
            {
                file.Error(item, $"{where} '{value}': {error}");
                ok = false;
            }
            else
            {
                values.Add(value);
            }
        }

        return values;
    }

    private static JsonPath? Path(YamlFile file, YamlNode node, string where, ref bool ok)
    {
        var text = file.Scalar(node, where);
        if (text is null)
        {
            ok = false;
            return null;
        }

        var path = JsonPath.Parse(text, out var error);
        if (path is null)
        {
            file.Error(node, $"{where} is not a JSON path this guard reads: {error}");
            ok = false;
        }

        return path;
    }

    private static IEnumerable<Regex> Patterns(YamlFile file, YamlNode node, string where)
    {
        var patterns = new List<Regex>();
        foreach (var (text, item) in file.List(node, where) ?? [])
        {
            if (Compile(file, item, text, where) is { } regex)
            {
                patterns.Add(regex);
            }
        }

        return patterns;
    }

    private static Regex? Pattern(YamlFile file, YamlNode node, string where, string? group)
    {
        var text = file.Scalar(node, where);
        if (text is null)
        {
            return null;
        }

        var regex = Compile(file, node, text, where);
        if (regex is not null && group is not null && regex.GroupNumberFromName(group) < 0)
        {
            file.Error(node, $"{where} has no (?<{group}>...) group; add one around the value to read");
            return null;
        }

        return regex;
    }

    private static Regex? Compile(YamlFile file, YamlNode node, string text, string where)
    {
        try
        {
            return new Regex(text, ReportPatterns.Options);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            // Non-backtracking matching (linear in what an agent wrote) refuses look-arounds and
            // back-references; the message says which construct.
            file.Error(node, $"{where} is not a usable regular expression: {ex.Message}");
            return null;
        }
    }

    private static double? Number(YamlFile file, YamlNode node, string where, double min, double max, ref bool ok)
    {
        var text = file.Scalar(node, where);
        if (text is not null && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        if (text is not null)
        {
            file.Error(node, $"{where} is '{text}'; use a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        }

        ok = false;
        return null;
    }

    private static string? Url(YamlFile file, YamlNode node, string where, ref bool ok)
    {
        var text = file.Scalar(node, where);
        if (text is not null && Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return text;
        }

        if (text is not null)
        {
            file.Error(node, $"{where} is '{text}'; use an absolute http or https URL");
        }

        ok = false;
        return null;
    }

    /// <summary>Reads <c>30s</c>, <c>500ms</c>, <c>2m</c> or a number of seconds, from 100 ms to 10 min.</summary>
    internal static TimeSpan? Duration(YamlFile file, YamlNode node, string where, ref bool ok)
    {
        var text = file.Scalar(node, where);
        if (text is null)
        {
            ok = false;
            return null;
        }

        var (number, scale) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && !double.IsNaN(value))
        {
            var duration = TimeSpan.FromSeconds(Math.Clamp(value * scale, 0, MaxTimeout.TotalSeconds + 1));
            if (duration >= MinTimeout && duration <= MaxTimeout)
            {
                return duration;
            }
        }

        file.Error(node, $"{where} is '{text}'; use a duration from 100ms to 10m, e.g. 30s");
        ok = false;
        return null;
    }
}
