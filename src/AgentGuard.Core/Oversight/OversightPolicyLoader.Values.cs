using System.Globalization;
using System.Text.RegularExpressions;
using AgentGuard.Policy;
using YamlDotNet.RepresentationModel;

namespace AgentGuard.Oversight;

/// <summary>The oversight loader's readers of single values: globs, JSON paths, patterns, numbers, URLs, durations.</summary>
internal sealed partial class OversightPolicyLoader
{
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
        => file.Duration(node, where, MinTimeout, MaxTimeout, "use a duration from 100ms to 10m, e.g. 30s", ref ok);
}
