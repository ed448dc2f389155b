using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AgentGuard.Policy;

/// <summary>Reads one YAML document and collects every error with its file and line.</summary>
internal sealed class YamlFile
{
    private readonly List<PolicyError> _errors;

    private YamlFile(string path, List<PolicyError> errors)
    {
        Path = path;
        _errors = errors;
    }

    public string Path { get; }

    /// <summary>Parses <paramref name="text"/>; returns <see langword="null"/> (and records why) when it is not one YAML mapping.</summary>
    public static (YamlFile File, YamlMappingNode? Root) Parse(string path, string text, List<PolicyError> errors)
    {
        var file = new YamlFile(path, errors);
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            var reason = ex.InnerException?.Message ?? ex.Message;
            errors.Add(new PolicyError(path, (int)ex.Start.Line, "not valid YAML: " + reason));
            return (file, null);
        }
        catch (ArgumentException ex)
        {
            // The representation model throws this for a key repeated in one mapping.
            errors.Add(new PolicyError(path, 0, "not valid YAML: " + ex.Message));
            return (file, null);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, not a YamlException, for some unclosed flow
            // collections ("a: { b: [c]" followed by more lines). Uncaught, it would escape a
            // reload on the watcher's timer thread and end the process.
            var line = parser.Current is { } current ? (int)current.Start.Line : 0;
            errors.Add(new PolicyError(path, line, "not valid YAML: a '{' or '[' is not closed"));
            return (file, null);
        }

        if (stream.Documents.Count != 1)
        {
            errors.Add(new PolicyError(path, 1, $"expected one YAML document, found {stream.Documents.Count}"));
            return (file, null);
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add(new PolicyError(path, Line(stream.Documents[0].RootNode), "the document must be a mapping (key: value lines)"));
            return (file, null);
        }

        return (file, root);
    }

    public static int Line(YamlNode node) => (int)node.Start.Line;

    public void Error(YamlNode node, string message) => _errors.Add(new PolicyError(Path, Line(node), message));

    /// <summary>The mapping's entries as (key, value), reporting keys that are not scalars or not in <paramref name="allowed"/>.</summary>
    public IEnumerable<(string Key, YamlScalarNode KeyNode, YamlNode Value)> Entries(YamlMappingNode mapping, string where, params string[] allowed)
    {
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } scalar)
            {
                Error(keyNode, $"{where}: keys must be plain names");
                continue;
            }

            if (allowed.Length > 0 && Array.IndexOf(allowed, key) < 0)
            {
                Error(keyNode, $"{where}: unknown key '{key}'; expected one of: {string.Join(", ", allowed)}");
                continue;
            }

            yield return (key, scalar, value);
        }
    }

    public string? Scalar(YamlNode node, string where)
    {
        if (node is YamlScalarNode { Value: { } value })
        {
            return value;
        }

        Error(node, $"{where} must be a single value");
        return null;
    }

    public bool? Boolean(YamlNode node, string where)
    {
        var value = Scalar(node, where);
        if (value is null)
        {
            return null;
        }

        if (value is "true" or "True" or "TRUE")
        {
            return true;
        }

        if (value is "false" or "False" or "FALSE")
        {
            return false;
        }

        Error(node, $"{where} is '{value}'; use true or false");
        return null;
    }

    /// <summary>A single value or a list of values, as a list.</summary>
    public List<(string Value, YamlNode Node)>? List(YamlNode node, string where)
    {
        if (node is YamlScalarNode { Value: { } single })
        {
            return [(single, node)];
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(node, $"{where} must be a value or a list of values");
            return null;
        }

        var values = new List<(string, YamlNode)>();
        foreach (var item in sequence.Children)
        {
            var value = Scalar(item, where + " item");
            if (value is not null)
            {
                values.Add((value, item));
            }
        }

        return values;
    }

    /// <summary>
    /// Reads <c>30s</c>, <c>500ms</c>, <c>2m</c> or a number of seconds at <paramref name="node"/>,
    /// from <paramref name="min"/> to <paramref name="max"/>; otherwise reports
    /// "<paramref name="where"/> is 'TEXT'; <paramref name="expected"/>" and clears <paramref name="ok"/>.
    /// </summary>
    public TimeSpan? Duration(YamlNode node, string where, TimeSpan min, TimeSpan max, string expected, ref bool ok)
    {
        var text = Scalar(node, where);
        if (text is null)
        {
            ok = false;
            return null;
        }

        var (number, scale) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        if (double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && !double.IsNaN(value))
        {
            var duration = TimeSpan.FromSeconds(Math.Clamp(value * scale, 0, max.TotalSeconds + 1));
            if (duration >= min && duration <= max)
            {
                return duration;
            }
        }

        Error(node, $"{where} is '{text}'; {expected}");
        ok = false;
        return null;
    }
}
