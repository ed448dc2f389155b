using System.Collections.Frozen;
using System.Text.Json;

namespace AgentGuard.Audit;

/// <summary>
/// Writes tool arguments into a record with the values of secret-bearing members replaced, and
/// the credentials written inside other string values (a shell command's <c>--password=...</c>,
/// see <see cref="InlineSecrets"/>) replaced too.
/// </summary>
internal sealed class AuditRedactor(IEnumerable<string> names)
{
    public const string Placeholder = "[redacted]";

    private readonly FrozenSet<string> _names = names.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public void Write(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    if (_names.Contains(property.Name))
                    {
                        writer.WriteStringValue(Placeholder);
                    }
                    else
                    {
                        Write(writer, property.Value);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Undefined:
                writer.WriteNullValue();
                break;
            case JsonValueKind.String:
                var text = value.GetString()!;
                var redacted = InlineSecrets.Redact(text);
                if (ReferenceEquals(redacted, text))
                {
                    value.WriteTo(writer);
                }
                else
                {
                    writer.WriteStringValue(redacted);
                }

                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }
}
