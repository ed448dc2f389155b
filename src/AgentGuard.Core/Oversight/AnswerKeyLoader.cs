using System.Globalization;
using AgentGuard.Policy;
using YamlDotNet.RepresentationModel;

namespace AgentGuard.Oversight;

/// <summary>
/// Reads an answer key file (JSON; being YAML too, its errors carry lines as the policy's do).
/// Format:
/// <code>
/// {
///   "field": "Output",
///   "items": {
///     "1": { "answer": "75 km/h", "compare": "numeric", "tolerance": 0.5 },
///     "2": "Canberra",
///     "5": { "one_of": ["Fluorine", "F"] },
///     "7": { "score": 55 }
///   },
///   "result": { "grade": "C" }
/// }
/// </code>
/// <c>result</c> may instead be <c>{ "score": 60 }</c> or computed from the data:
/// <c>{ "sum": "Revenue", "minus": "Operational Costs", "grades": [ { "below": 0, "grade": "C" }, { "grade": "B" } ] }</c>.
/// </summary>
internal static class AnswerKeyLoader
{
    /// <summary>The largest answer key read.</summary>
    public const long MaxBytes = 4 * 1024 * 1024;

    /// <summary>Loads <paramref name="path"/>; on failure records why (at the policy's line when the file cannot be read) and returns <see langword="null"/>.</summary>
    public static AnswerKey? Load(string path, YamlFile policy, YamlNode reference, List<PolicyError> errors)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                policy.Error(reference, $"answer key '{path}' does not exist; give a path relative to the policy file");
                return null;
            }

            if (info.Length > MaxBytes)
            {
                policy.Error(reference, $"answer key '{path}' is {info.Length} bytes; the limit is {MaxBytes}");
                return null;
            }

            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            policy.Error(reference, $"answer key '{path}' cannot be read: {ex.Message}");
            return null;
        }

        return Parse(path, text, errors);
    }

    /// <summary>Parses an answer key's text; errors carry <paramref name="path"/> and their line.</summary>
    public static AnswerKey? Parse(string path, string text, List<PolicyError> errors)
    {
        var before = errors.Count;
        var (file, root) = YamlFile.Parse(path, text, errors);
        if (root is null)
        {
            return null;
        }

        string? field = null;
        var items = new Dictionary<string, AnswerKeyItem>(StringComparer.OrdinalIgnoreCase);
        AnswerKeyResult? result = null;
        foreach (var (key, _, value) in file.Entries(root, "answer key", "description", "evaluation", "field", "items", "result"))
        {
            switch (key)
            {
                case "field":
                    field = file.Scalar(value, "answer key field");
                    break;
                case "items":
                    if (value is not YamlMappingNode mapping)
                    {
                        file.Error(value, "answer key items must be a mapping of item id to answer");
                        break;
                    }

                    foreach (var (id, idNode, item) in file.Entries(mapping, "answer key items"))
                    {
                        if (items.ContainsKey(id))
                        {
                            file.Error(idNode, $"answer key item '{id}' is given twice");
                        }
                        else if (ReadItem(file, id, item) is { } read)
                        {
                            items[id] = read;
                        }
                    }

                    break;
                case "result":
                    result = ReadResult(file, value);
                    break;
            }
        }

        if (errors.Count == before && items.Count == 0 && result is null)
        {
            file.Error(root, "answer key has neither 'items' nor 'result'");
        }

        return errors.Count == before ? new AnswerKey { Path = path, Text = text, Field = field, Items = items, Result = result } : null;
    }

    private static AnswerKeyItem? ReadItem(YamlFile file, string id, YamlNode node)
    {
        var where = $"answer key item '{id}'";
        if (node is YamlScalarNode)
        {
            return file.Scalar(node, where) is { } answer ? new AnswerKeyItem(id, [answer], AnswerComparison.Exact) : null;
        }

        if (node is not YamlMappingNode mapping)
        {
            file.Error(node, $"{where} must be an answer or a mapping with answer, one_of or score");
            return null;
        }

        List<string>? answers = null;
        var comparison = AnswerComparison.Exact;
        double tolerance = 0;
        double? score = null;
        string? field = null;
        var ok = true;
        foreach (var (key, _, value) in file.Entries(mapping, where, "answer", "one_of", "compare", "tolerance", "score", "field", "note"))
        {
            switch (key)
            {
                case "answer":
                    if (file.Scalar(value, $"{where} answer") is { } answer)
                    {
                        answers = [answer];
                    }

                    break;
                case "one_of":
                    answers = file.List(value, $"{where} one_of")?.ConvertAll(a => a.Value);
                    comparison = AnswerComparison.OneOf;
                    break;
                case "compare":
                    switch (file.Scalar(value, $"{where} compare"))
                    {
                        case "exact": comparison = AnswerComparison.Exact; break;
                        case "numeric": comparison = AnswerComparison.Numeric; break;
                        case "one_of": comparison = AnswerComparison.OneOf; break;
                        case { } other:
                            file.Error(value, $"{where} compare '{other}' is unknown; use exact, numeric or one_of");
                            ok = false;
                            break;
                    }

                    break;
                case "tolerance":
                    tolerance = Number(file, value, $"{where} tolerance", ref ok) ?? 0;
                    break;
                case "score":
                    score = Number(file, value, $"{where} score", ref ok);
                    break;
                case "field":
                    field = file.Scalar(value, $"{where} field");
                    break;
            }
        }

        if (ok && (answers is null || answers.Count == 0) == (score is null))
        {
            file.Error(node, $"{where} needs exactly one of 'answer', 'one_of' and 'score'");
            return null;
        }

        if (ok && comparison == AnswerComparison.Numeric && !ReferenceRescorer.TryFirstNumber(answers![0], out _))
        {
            file.Error(node, $"{where} compares numerically but its answer '{answers[0]}' holds no number");
            return null;
        }

        return ok ? new AnswerKeyItem(id, answers ?? [], comparison, tolerance, score, field) : null;
    }

    private static AnswerKeyResult? ReadResult(YamlFile file, YamlNode node)
    {
        if (node is not YamlMappingNode mapping)
        {
            file.Error(node, "answer key result must be a mapping with score, grade, or sum/minus/grades");
            return null;
        }

        double? score = null;
        string? grade = null, sum = null, minus = null;
        var bands = new List<(double?, string)>();
        var ok = true;
        foreach (var (key, _, value) in file.Entries(mapping, "answer key result", "score", "grade", "sum", "minus", "grades"))
        {
            switch (key)
            {
                case "score": score = Number(file, value, "answer key result score", ref ok); break;
                case "grade": grade = file.Scalar(value, "answer key result grade"); break;
                case "sum": sum = file.Scalar(value, "answer key result sum"); break;
                case "minus": minus = file.Scalar(value, "answer key result minus"); break;
                case "grades":
                    if (value is not YamlSequenceNode sequence)
                    {
                        file.Error(value, "answer key result grades must be a list of { below, grade }");
                        ok = false;
                        break;
                    }

                    foreach (var band in sequence.Children)
                    {
                        if (band is not YamlMappingNode bandMapping)
                        {
                            file.Error(band, "each answer key result grade must be a mapping { below, grade }");
                            ok = false;
                            continue;
                        }

                        double? below = null;
                        string? bandGrade = null;
                        foreach (var (bandKey, _, bandValue) in file.Entries(bandMapping, "answer key result grade", "below", "grade"))
                        {
                            if (bandKey == "below")
                            {
                                below = Number(file, bandValue, "answer key result grade below", ref ok);
                            }
                            else
                            {
                                bandGrade = file.Scalar(bandValue, "answer key result grade");
                            }
                        }

                        if (bandGrade is null)
                        {
                            file.Error(band, "answer key result grade band needs a 'grade'");
                            ok = false;
                        }
                        else
                        {
                            bands.Add((below, bandGrade));
                        }
                    }

                    break;
            }
        }

        var kinds = (score is null ? 0 : 1) + (grade is null ? 0 : 1) + (sum is null ? 0 : 1);
        if (ok && kinds != 1)
        {
            file.Error(node, "answer key result needs exactly one of 'score', 'grade', and 'sum' (with 'grades')");
            return null;
        }

        if (ok && sum is not null && (bands.Count == 0 || bands[^1].Item1 is not null))
        {
            file.Error(node, "answer key result computed from 'sum' needs 'grades' ending in a band with no 'below', e.g. [{ below: 0, grade: C }, { grade: B }]");
            return null;
        }

        return ok ? new AnswerKeyResult { Score = score, Grade = grade, Sum = sum, Minus = minus, Bands = bands } : null;
    }

    private static double? Number(YamlFile file, YamlNode node, string where, ref bool ok)
    {
        var text = file.Scalar(node, where);
        if (text is not null && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        if (text is not null)
        {
            file.Error(node, $"{where} is '{text}'; use a number");
        }

        ok = false;
        return null;
    }
}
