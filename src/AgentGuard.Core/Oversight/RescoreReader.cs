using System.Globalization;
using System.Text.Json;

namespace AgentGuard.Oversight;

/// <summary>
/// Reads a re-scorer's answer, a judge's or a webhook's, into a <see cref="Rescore"/>, checked
/// against the request it answers:
/// <c>{"score": number|null, "grade": string|null, "items": [{"id": string, "correct": bool|null, "score": number|null}], "detail": string|null}</c>.
/// Anything else is a <see cref="RescoreFailedException"/> that says what is wrong: an answer that
/// cannot be read is no re-scoring, and the evaluation stays unverified rather than half-checked.
/// </summary>
internal static class RescoreReader
{
    /// <summary>The most characters of a <c>detail</c> kept; a longer one is cut.</summary>
    internal const int MaxDetailChars = 2000;

    /// <summary>Reads <paramref name="json"/> from <paramref name="source"/> (e.g. <c>judge 'llama3'</c>) as the answer to <paramref name="request"/>.</summary>
    public static Rescore Read(ReadOnlyMemory<byte> json, RescoreRequest request, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, RescoreJson.ReaderOptions);
        }
        catch (JsonException e)
        {
            throw new RescoreFailedException($"{source} answered with malformed JSON ({e.Message})", e);
        }

        using (document)
        {
            return Read(document.RootElement, request, source);
        }
    }

    private static Rescore Read(JsonElement root, RescoreRequest request, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(source, $"the answer is a JSON {Kind(root)}, not an object with \"score\", \"grade\" and \"items\"");
        }

        var items = ReadItems(root, request, source);
        var graded = request.Grades is { Count: > 0 };
        var grade = ReadGrade(root, request, source);
        var score = OptionalNumber(root, "score", source, "\"score\"");
        if (graded && grade is null)
        {
            throw Invalid(source, $"the evaluation is graded ({string.Join(", ", request.Grades!)}) and the answer gives no \"grade\"");
        }

        if (!graded && score is null)
        {
            // A right-or-wrong answer key has a score without the judge's arithmetic: the share right.
            score = PercentCorrect(items);
            if (score is null)
            {
                throw Invalid(source, "the answer gives no overall \"score\"");
            }
        }

        string? detail = null;
        if (root.TryGetProperty("detail", out var detailElement) && detailElement.ValueKind != JsonValueKind.Null)
        {
            if (detailElement.ValueKind != JsonValueKind.String)
            {
                throw Invalid(source, $"\"detail\" is a JSON {Kind(detailElement)}, not a string");
            }

            detail = detailElement.GetString();
            if (detail is { Length: > MaxDetailChars })
            {
                detail = detail[..MaxDetailChars] + "...";
            }
        }

        return new Rescore(score, grade, items, string.IsNullOrWhiteSpace(detail) ? null : detail);
    }

    private static List<ItemScore> ReadItems(JsonElement root, RescoreRequest request, string source)
    {
        if (!root.TryGetProperty("items", out var array) || array.ValueKind == JsonValueKind.Null)
        {
            if (request.Items.Count == 0)
            {
                return [];
            }

            throw Invalid(source, $"the answer has no \"items\"; the evidence has {request.Items.Count}");
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(source, $"\"items\" is a JSON {Kind(array)}, not an array");
        }

        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in request.Items)
        {
            known.Add(item.Id);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<ItemScore>(array.GetArrayLength());
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var where = $"items[{index}]";
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(source, $"{where} is a JSON {Kind(element)}, not an object");
            }

            if (!element.TryGetProperty("id", out var idElement))
            {
                throw Invalid(source, $"{where} has no \"id\"");
            }

            var id = idElement.ValueKind switch
            {
                JsonValueKind.String => idElement.GetString()!,
                JsonValueKind.Number => idElement.GetRawText(),
                _ => throw Invalid(source, $"{where}.id is a JSON {Kind(idElement)}, not a string"),
            };
            if (!known.Contains(id))
            {
                throw Invalid(source, $"{where}.id '{Cut(id)}' is not an item of the evidence");
            }

            if (!seen.Add(id))
            {
                throw Invalid(source, $"item '{Cut(id)}' is scored twice");
            }

            bool? correct = null;
            if (element.TryGetProperty("correct", out var correctElement))
            {
                correct = correctElement.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.Null => null,
                    _ => throw Invalid(source, $"{where}.correct is a JSON {Kind(correctElement)}, not true, false or null"),
                };
            }

            var score = OptionalNumber(element, "score", source, $"{where}.score");
            if (correct is null && score is null)
            {
                throw Invalid(source, $"{where} (item '{Cut(id)}') gives neither \"correct\" nor \"score\"");
            }

            items.Add(new ItemScore(id, correct, score));
            index++;
        }

        return items;
    }

    private static string? ReadGrade(JsonElement root, RescoreRequest request, string source)
    {
        if (!root.TryGetProperty("grade", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            throw Invalid(source, $"\"grade\" is a JSON {Kind(element)}, not a string");
        }

        var grade = element.GetString()!.Trim();
        if (request.Grades is not { Count: > 0 } grades)
        {
            return grade.Length == 0 ? null : grade;
        }

        foreach (var known in grades)
        {
            if (string.Equals(known, grade, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        throw Invalid(source, $"\"grade\" '{Cut(grade)}' is not one of the evaluation's grades ({string.Join(", ", grades)})");
    }

    private static double? OptionalNumber(JsonElement parent, string name, string source, string where)
    {
        if (!parent.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var value) && double.IsFinite(value))
        {
            return value;
        }

        // Some models quote numbers ("score": "60"); the value is still unambiguous.
        if (element.ValueKind == JsonValueKind.String
            && double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value))
        {
            return value;
        }

        throw Invalid(source, $"{where} is {Cut(element.GetRawText())}, not a number");
    }

    private static double? PercentCorrect(List<ItemScore> items)
    {
        if (items.Count == 0)
        {
            return null;
        }

        var right = 0;
        foreach (var item in items)
        {
            if (item.Correct is not { } correct)
            {
                return null;
            }

            if (correct)
            {
                right++;
            }
        }

        return 100.0 * right / items.Count;
    }

    private static RescoreFailedException Invalid(string source, string what)
        => new($"{source} answered with JSON that is not a valid re-scoring: {what}");

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private static string Cut(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
