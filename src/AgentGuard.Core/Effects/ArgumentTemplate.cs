using System.Buffers;
using System.Runtime.InteropServices;
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
        // values first holds every part's strings in turn (a literal, or each value its placeholder
        // binds); part i's are values[starts[i]..starts[i + 1]]. The expansions replace them.
        values.Clear();
        Span<int> starts = _parts.Length < 32 ? stackalloc int[_parts.Length + 1] : new int[_parts.Length + 1];
        long expansions = 1;
        for (var i = 0; i < _parts.Length; i++)
        {
            var part = _parts[i];
            starts[i] = values.Count;
            if (part.Literal is not null)
            {
                values.Add(part.Literal);
                continue;
            }

            var error = Bind(arguments, part.Path!, 0, values);
            if (error is not null)
            {
                return error;
            }

            var count = values.Count - starts[i];
            if (count == 0)
            {
                if (part.Fallback is null)
                {
                    return $"argument '{string.Join('.', part.Path!)}' is missing";
                }

                values.Add(part.Fallback);
                count = 1;
            }

            if (expansions * count > MaxExpansions)
            {
                return $"arguments expand to more than {MaxExpansions} resources";
            }

            expansions *= count;
        }

        starts[_parts.Length] = values.Count;
        if (expansions == 1)
        {
            // The usual case: every placeholder has one value, so the parts are the one expansion.
            var only = string.Concat(CollectionsMarshal.AsSpan(values));
            values.Clear();
            values.Add(only);
            return null;
        }

        Combine(values, starts, (int)expansions);
        return null;
    }

    /// <summary>Whether the template is one placeholder and nothing else (<c>{content}</c>), so that it binds whole JSON values.</summary>
    public bool IsSinglePlaceholder => _parts.Length == 1 && _parts[0].Path is not null;

    /// <summary>
    /// Appends the JSON values the template's one placeholder binds (each element, for an array),
    /// without reading them into strings: content arguments may be large. See <see cref="IsSinglePlaceholder"/>.
    /// </summary>
    /// <returns><see langword="null"/> on success, otherwise why the values could not be bound.</returns>
    public string? BindValues(JsonElement arguments, List<JsonElement> values)
    {
        if (IsSinglePlaceholder)
        {
            BindElements(arguments, _parts[0].Path!, 0, values);
        }

        return values.Count > MaxExpansions ? $"arguments hold more than {MaxExpansions} contents" : null;
    }

    private static void BindElements(JsonElement element, string[] path, int depth, List<JsonElement> bound)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                // Past the limit is a failure (see BindValues): no need to bind further.
                if (bound.Count > MaxExpansions)
                {
                    return;
                }

                BindElements(item, path, depth, bound);
            }

            return;
        }

        if (depth == path.Length)
        {
            bound.Add(element);
            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (NameEquals(property, path[depth]))
            {
                BindElements(property.Value, path, depth + 1, bound);
            }
        }
    }

    /// <summary>Appends every combination of the parts' strings, the last part varying fastest, then removes the parts.</summary>
    private static void Combine(List<string> values, ReadOnlySpan<int> starts, int expansions)
    {
        var partCount = starts.Length - 1;
        var pieces = ArrayPool<string>.Shared.Rent(partCount);
        Span<int> chosen = partCount < 32 ? stackalloc int[partCount] : new int[partCount];
        chosen.Clear();
        try
        {
            for (var n = 0; n < expansions; n++)
            {
                for (var p = 0; p < partCount; p++)
                {
                    pieces[p] = values[starts[p] + chosen[p]];
                }

                values.Add(string.Concat(pieces.AsSpan(0, partCount)));
                for (var p = partCount - 1; p >= 0 && ++chosen[p] == starts[p + 1] - starts[p]; p--)
                {
                    chosen[p] = 0;
                }
            }
        }
        finally
        {
            ArrayPool<string>.Shared.Return(pieces, clearArray: true);
        }

        values.RemoveRange(0, starts[partCount]);
    }

    /// <summary>Appends the values at <paramref name="path"/> from <paramref name="depth"/> on, in document order.</summary>
    private static string? Bind(JsonElement element, string[] path, int depth, List<string> bound)
    {
        if (depth == path.Length)
        {
            return AddScalars(element, bound, depth: 0);
        }

        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                var error = Bind(item, path, depth, bound);
                if (error is not null)
                {
                    return error;
                }
            }

            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (NameEquals(property, path[depth]))
            {
                var error = Bind(property.Value, path, depth + 1, bound);
                if (error is not null)
                {
                    return error;
                }
            }
        }

        return null;
    }

    /// <summary>Whether the property is named <paramref name="name"/> in any case, as <see cref="StringComparison.OrdinalIgnoreCase"/> says.</summary>
    private static bool NameEquals(JsonProperty property, string name)
    {
        // Reading Name allocates a string per property. Unescaped ASCII bytes are the name itself,
        // and between ASCII names OrdinalIgnoreCase folds only A-Z; anything else takes the string.
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        if (Ascii.IsValid(raw) && raw.IndexOf((byte)'\\') < 0 && Ascii.IsValid(name))
        {
            return Ascii.EqualsIgnoreCase(raw, name);
        }

        return string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase);
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
