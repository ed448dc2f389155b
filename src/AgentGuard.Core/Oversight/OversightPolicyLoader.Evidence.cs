using System.Globalization;
using System.Text.RegularExpressions;
using AgentGuard.Policy;
using YamlDotNet.RepresentationModel;

namespace AgentGuard.Oversight;

/// <summary>The oversight loader's reading of an evaluation's evidence, table, scale and re-scorer.</summary>
internal sealed partial class OversightPolicyLoader
{
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
}
