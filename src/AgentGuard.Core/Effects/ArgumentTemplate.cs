using System.Text;
using System.Text.Json;

namespace AgentGuard.Effects;

/// <summary>
/// A string bound to a call's arguments: literal text with placeholders such as <c>{key}</c>,
/// <c>{filenames[*]}</c> (every element), <c>{options.path}</c> (a nested member) and
/// <c>{filename|shutdown_config.yaml}</c> (a default when the argument is absent).
/// </summary>
/// <remarks>
/// Binding errs towards more values, never fewer: an argument named with different case
/// (<c>Key</c> for <c>key</c>) is bound as well, and an array where a single value is expected
/// yields every element, so a tool server that is lenient about names or shapes cannot be
/// reached with a value the guard did not see.
/// </remarks>
public sealed class ArgumentTemplate
{
    /// <summary>The most values one template may expand to; more is a failure, not a truncation.</summary>
    public const int MaxExpansions = 1024;

    private readonly Part[] _parts;

    private ArgumentTemplate(string text, Part[] parts)
    {
        Text = text;
        _parts = parts;
    }

    /// <summary>The template as written.</summary>
    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>; returns <see langword="null"/> and an error when it is malformed.</summary>
    public static ArgumentTemplate? Parse(string text, out string? error)
    {
        var parts = new List<Part>();
        var literal = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '}')
            {
                error = $"'}}' at position {i} has no matching '{{'";
                return null;
            }

            if (c != '{')
            {
                literal.Append(c);
                continue;
            }

            var close = text.IndexOf('}', i + 1);
            if (close < 0)
            {
                error = $"'{{' at position {i} is never closed";
                return null;
            }

            if (literal.Length > 0)
            {
                parts.Add(new Part(literal.ToString(), null, null));
                literal.Clear();
            }

            var placeholder = text[(i + 1)..close];
            string? fallback = null;
            var bar = placeholder.IndexOf('|');
            if (bar >= 0)
            {
                fallback = placeholder[(bar + 1)..];
                placeholder = placeholder[..bar];
            }

            var path = placeholder.Replace("[*]", string.Empty, StringComparison.Ordinal).Split('.');
            foreach (var segment in path)
            {
                if (segment.Length == 0 || segment.AsSpan().ContainsAny("{[]* "))
                {
                    error = $"placeholder '{{{text[(i + 1)..close]}}}' is not an argument name (use {{name}}, {{list[*]}}, {{outer.inner}} or {{name|default}})";
                    return null;
                }
            }

            parts.Add(new Part(null, path, fallback));
            i = close;
        }

        if (literal.Length > 0)
        {
            parts.Add(new Part(literal.ToString(), null, null));
        }

        error = null;
        return new ArgumentTemplate(text, [.. parts]);
    }

    /// <summary>Expands the template over <paramref name="arguments"/> into <paramref name="values"/>.</summary>
    /// <returns><see langword="null"/> on success, otherwise why the template could not be bound.</returns>
    public string? Expand(JsonElement arguments, List<string> values)
    {
        values.Clear();
        values.Add(string.Empty);
        var bound = new List<string>();
        var next = new List<string>();
        foreach (var part in _parts)
        {
            if (part.Literal is not null)
            {
                for (var i = 0; i < values.Count; i++)
                {
                    values[i] += part.Literal;
                }

                continue;
            }

            bound.Clear();
            var error = Bind(arguments, part.Path!, bound);
            if (error is not null)
            {
                return error;
            }

            if (bound.Count == 0)
            {
                if (part.Fallback is null)
                {
                    return $"argument '{string.Join('.', part.Path!)}' is missing";
                }

                bound.Add(part.Fallback);
            }

            if ((long)values.Count * bound.Count > MaxExpansions)
            {
                return $"arguments expand to more than {MaxExpansions} resources";
            }

            next.Clear();
            foreach (var prefix in values)
            {
                foreach (var value in bound)
                {
                    next.Add(prefix + value);
                }
            }

            values.Clear();
            values.AddRange(next);
        }

        return null;
    }

    private static string? Bind(JsonElement element, string[] path, List<string> bound)
    {
        var current = new List<JsonElement> { element };
        var found = new List<JsonElement>();
        foreach (var name in path)
        {
            found.Clear();
            foreach (var candidate in current)
            {
                CollectMembers(candidate, name, found);
            }

            current.Clear();
            current.AddRange(found);
        }

        foreach (var value in current)
        {
            var error = AddScalars(value, bound, depth: 0);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static void CollectMembers(JsonElement element, string name, List<JsonElement> found)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                CollectMembers(item, name, found);
            }

            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                found.Add(property.Value);
            }
        }
    }

    private static string? AddScalars(JsonElement value, List<string> bound, int depth)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                bound.Add(value.GetString()!);
                return null;
            case JsonValueKind.Number:
            case JsonValueKind.True:
            case JsonValueKind.False:
                bound.Add(value.GetRawText());
                return null;
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Array when depth == 0:
                foreach (var item in value.EnumerateArray())
                {
                    var error = AddScalars(item, bound, depth + 1);
                    if (error is not null)
                    {
                        return error;
                    }
                }

                return null;
            default:
                return $"an argument holds a JSON {value.ValueKind.ToString().ToLowerInvariant()} where a value is expected";
        }
    }

    private sealed record Part(string? Literal, string[]? Path, string? Fallback);
}
