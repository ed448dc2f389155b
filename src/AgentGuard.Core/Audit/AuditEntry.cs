using System.Globalization;
using System.Text.Json;
using AgentGuard.Policy;

namespace AgentGuard.Audit;

/// <summary>One record read back from the log, with the fields reviewers filter on.</summary>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset Time,
    string Type,
    string? Reference,
    string? Agent,
    string? Role,
    string? Method,
    string? Tool,
    string? Decision,
    string? Rule,
    string? Finding,
    string? Severity,
    int? Status,
    double? LatencyMilliseconds,
    string Json)
{
    /// <summary>Reads the fields of one record line; <see langword="null"/> when the line is not a record.</summary>
    public static AuditEntry? Parse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            return new AuditEntry(
                root.GetProperty("seq").GetInt64(),
                DateTimeOffset.Parse(root.GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                root.GetProperty("type").GetString()!,
                String(root, "ref"),
                String(root, "agent"),
                String(root, "role"),
                String(root, "method"),
                String(root, "tool"),
                String(root, "decision"),
                String(root, "rule"),
                String(root, "finding"),
                String(root, "severity"),
                root.TryGetProperty("status", out var status) ? status.GetInt32() : null,
                root.TryGetProperty("latency_ms", out var latency) ? latency.GetDouble() : null,
                line);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The severity as a value, for "at least" filters.</summary>
    public Severity? SeverityValue => Enum.TryParse<Severity>(Severity, ignoreCase: true, out var value) ? value : null;

    /// <summary>A record's string field, or <see langword="null"/> when it is missing or not a string.</summary>
    internal static string? String(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
