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
internal sealed partial class OversightPolicyLoader(List<PolicyError> errors)
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
}
