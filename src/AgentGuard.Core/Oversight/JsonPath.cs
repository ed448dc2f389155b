using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AgentGuard.Oversight;

/// <summary>
/// A path into a call's arguments: <c>$.a.b</c>, <c>a.b</c>, <c>$.items[0].score</c>,
/// <c>$['file name']</c>. Members and indexes only; no wildcards or filters, so a path names one value.
/// </summary>
public sealed class JsonPath
{
    private readonly object[] _steps;

    private JsonPath(string text, object[] steps)
    {
        Text = text;
        _steps = steps;
    }

    /// <summary>The path as the policy wrote it.</summary>
    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>; <see langword="null"/> and a reason when it is not a path this reads.</summary>
    public static JsonPath? Parse(string text, out string? error)
    {
        error = null;
        var steps = new List<object>();
        var i = 0;
        if (text.StartsWith('$'))
        {
            i = 1;
        }
        else if (text.Length > 0 && text[0] != '.' && text[0] != '[')
        {
            // "content" is read as "$.content".
            text = "$." + text;
            i = 1;
        }

        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                var start = ++i;
                while (i < text.Length && text[i] != '.' && text[i] != '[')
                {
                    i++;
                }

                if (i == start)
                {
                    error = $"'{text}' has an empty member name at {start}";
                    return null;
                }

                steps.Add(text[start..i]);
            }
            else if (text[i] == '[')
            {
                var close = text.IndexOf(']', i);
                if (close < 0)
                {
                    error = $"'{text}' has a '[' that is not closed";
                    return null;
                }

                var inner = text[(i + 1)..close].Trim();
                if (inner.Length >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[^1] == inner[0])
                {
                    steps.Add(inner[1..^1]);
                }
                else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    steps.Add(index);
                }
                else
                {
                    error = $"'{text}': '[{inner}]' is neither an index nor a quoted member name (wildcards and filters are not supported)";
                    return null;
                }

                i = close + 1;
            }
            else
            {
                error = $"'{text}': expected '.' or '[' at {i}";
                return null;
            }
        }

        if (steps.Count == 0)
        {
            error = $"'{text}' names no member; write e.g. $.system_id";
            return null;
        }

        return new JsonPath(text, [.. steps]);
    }

    /// <summary>The value at the path in <paramref name="json"/> as text (strings unquoted, numbers as written, others as JSON); <see langword="null"/> when absent or not JSON.</summary>
    public string? Select(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            return Select(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The value at the path under <paramref name="root"/> as text; <see langword="null"/> when absent.</summary>
    public string? Select(JsonElement root)
    {
        var current = root;
        foreach (var step in _steps)
        {
            if (step is string name)
            {
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
                {
                    return null;
                }
            }
            else
            {
                var index = (int)step;
                if (current.ValueKind != JsonValueKind.Array || index >= current.GetArrayLength())
                {
                    return null;
                }

                current = current[index];
            }
        }

        return current.ValueKind switch
        {
            JsonValueKind.String => current.GetString(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => current.GetRawText(),
            _ => current.GetRawText(),
        };
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var text = new StringBuilder("$");
        foreach (var step in _steps)
        {
            if (step is string name)
            {
                text.Append('.').Append(name);
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"[{step}]");
            }
        }

        return text.ToString();
    }
}
