using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AgentGuard.Deploy.Infrastructure;

/// <summary>
/// Reads YAML (every document of a file, as Kubernetes files hold several) into
/// <see cref="JsonNode"/> trees, so that tests navigate manifests, rules and compose files alike.
/// Plain scalars become numbers, booleans and nulls as YAML's core schema reads them; quoted ones
/// stay strings, so a test can tell <c>"true"</c> from <c>true</c>.
/// </summary>
internal static class Yaml
{
    /// <summary>Every non-empty document in <paramref name="path"/>. Throws on a syntax error or a duplicate key.</summary>
    public static List<JsonNode> LoadAll(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        var documents = new List<JsonNode>();
        foreach (var document in stream.Documents)
        {
            if (ToJson(document.RootNode) is { } node)
            {
                documents.Add(node);
            }
        }

        return documents;
    }

    /// <summary>The single document in <paramref name="path"/>.</summary>
    public static JsonNode Load(string path)
    {
        var documents = LoadAll(path);
        Assert.True(documents.Count == 1, $"{RepoPaths.Relative(path)}: expected one YAML document, found {documents.Count}");
        return documents[0];
    }

    /// <summary>Parses YAML text (one document).</summary>
    public static JsonNode? Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count == 0 ? null : ToJson(stream.Documents[0].RootNode);
    }

    private static JsonNode? ToJson(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = key is YamlScalarNode scalar ? scalar.Value ?? "" : throw new YamlException(key.Start, key.End, "only scalar keys are expected");
                    if (obj.ContainsKey(name))
                    {
                        throw new YamlException(key.Start, key.End, $"duplicate key '{name}'");
                    }

                    obj[name] = ToJson(value);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(ToJson(item));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new YamlException(node.Start, node.End, $"unexpected YAML node {node.NodeType}");
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && !text.Contains(':'))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }
}
