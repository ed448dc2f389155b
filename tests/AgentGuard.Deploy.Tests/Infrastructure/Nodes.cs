using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentGuard.Deploy.Infrastructure;

/// <summary>Small accessors over <see cref="JsonNode"/> trees that name what is missing when a test fails.</summary>
internal static class Nodes
{
    /// <summary>A scalar as text (strings as they are, numbers and booleans invariantly), or null.</summary>
    public static string? Text(this JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>() ? "true" : "false",
        JsonValue value when value.TryGetValue<long>(out var integer) => integer.ToString(CultureInfo.InvariantCulture),
        JsonValue value when value.TryGetValue<double>(out var number) => number.ToString(CultureInfo.InvariantCulture),
        JsonValue value => value.ToJsonString(),
        _ => throw new InvalidOperationException($"not a scalar: {node.ToJsonString()}"),
    };

    /// <summary>The child at a '.'-separated path; fails the test, naming <paramref name="what"/>, when it is missing.</summary>
    public static JsonNode Required(this JsonNode? node, string path, string what)
    {
        var current = node;
        foreach (var part in path.Split('.'))
        {
            current = current is JsonObject obj && obj.TryGetPropertyValue(part, out var child) ? child : null;
            if (current is null)
            {
                Assert.Fail($"{what}: '{path}' is missing");
            }
        }

        return current!;
    }

    /// <summary>The child at a '.'-separated path, or null.</summary>
    public static JsonNode? At(this JsonNode? node, string path)
    {
        var current = node;
        foreach (var part in path.Split('.'))
        {
            current = current is JsonObject obj && obj.TryGetPropertyValue(part, out var child) ? child : null;
        }

        return current;
    }

    /// <summary>The elements of an array (none when the node is missing).</summary>
    public static IEnumerable<JsonNode> Items(this JsonNode? node)
        => node is JsonArray array ? array.Where(item => item is not null).Select(item => item!) : [];

    /// <summary>The string values of an array.</summary>
    public static List<string> Strings(this JsonNode? node) => node.Items().Select(item => item.Text() ?? "").ToList();

    /// <summary>The members of an object as text (labels, selectors, env).</summary>
    public static Dictionary<string, string?> Map(this JsonNode? node)
        => node is JsonObject obj ? obj.ToDictionary(p => p.Key, p => p.Value.Text()) : [];
}
