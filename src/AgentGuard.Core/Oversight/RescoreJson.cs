using System.Text.Encodings.Web;
using System.Text.Json;

namespace AgentGuard.Oversight;

/// <summary>The JSON a re-scorer sends (a <see cref="RescoreRequest"/>): one writer for the webhook's body and the judge's items.</summary>
internal static class RescoreJson
{
    /// <summary>
    /// Non-ASCII text stays readable: the JSON goes to a model or a grader, never into HTML, and a
    /// judge reads "é" better than "\u00E9".
    /// </summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Duplicate members are rejected rather than last-one-wins: an answer that says two things is not an answer.</summary>
    internal static readonly JsonDocumentOptions ReaderOptions = new() { MaxDepth = 16, AllowDuplicateProperties = false };

    /// <summary>The webhook's request body: <c>{"evaluation","subjectLabel","instructions","threshold","grades","items":[{"id","text","fields"}]}</c>.</summary>
    public static byte[] WriteRequest(RescoreRequest request)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("evaluation", request.Evaluation);
            writer.WriteString("subjectLabel", request.SubjectLabel);
            writer.WriteString("instructions", request.Instructions);
            if (request.Threshold is { } threshold)
            {
                writer.WriteNumber("threshold", threshold);
            }
            else
            {
                writer.WriteNull("threshold");
            }

            if (request.Grades is { } grades)
            {
                writer.WriteStartArray("grades");
                foreach (var grade in grades)
                {
                    writer.WriteStringValue(grade);
                }

                writer.WriteEndArray();
            }
            else
            {
                writer.WriteNull("grades");
            }

            writer.WriteStartArray("items");
            foreach (var item in request.Items)
            {
                WriteItem(writer, item);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>One item as <c>{"id","text","fields":{name:value}}</c>.</summary>
    public static void WriteItem(Utf8JsonWriter writer, EvaluationItem item)
    {
        writer.WriteStartObject();
        writer.WriteString("id", item.Id);
        writer.WriteString("text", item.Text);
        writer.WriteStartObject("fields");
        foreach (var (name, value) in item.Fields)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>One item as a single line of JSON, for a judge's prompt.</summary>
    public static string ItemLine(EvaluationItem item)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteItem(writer, item);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
