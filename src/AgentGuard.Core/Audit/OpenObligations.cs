using System.Globalization;
using System.Text.Json;
using AgentGuard.Oversight;
using AgentGuard.Sessions;

namespace AgentGuard.Audit;

/// <summary>Reads back the obligations a guard opened and never closed, from its audit log's latest segments.</summary>
public static class OpenObligations
{
    /// <summary>The segments read: obligations live as long as a session, far shorter than a few segments.</summary>
    public const int SegmentsRead = 4;

    /// <summary>The obligations opened and not closed in the last <see cref="SegmentsRead"/> segments of <paramref name="directory"/>.</summary>
    public static IReadOnlyList<OpenObligation> Read(string directory)
    {
        var open = new Dictionary<(string Reference, string Obligation, string Value), OpenObligation>();
        if (!System.IO.Directory.Exists(directory))
        {
            return [];
        }

        var segments = AuditChain.Segments(directory);
        foreach (var segment in segments.AsSpan(Math.Max(0, segments.Length - SegmentsRead)))
        {
            using var stream = new FileStream(segment, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (!line.Contains("\"type\":\"obligation\"", StringComparison.Ordinal) || Parse(line) is not { } change)
                {
                    continue;
                }

                var key = (change.Obligation.Reference, change.Obligation.Obligation, change.Obligation.Value);
                if (change.Opened)
                {
                    open[key] = change.Obligation;
                }
                else
                {
                    open.Remove(key);
                }
            }
        }

        return [.. open.Values];
    }

    private static ObligationChange? Parse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            foreach (var required in (string[])["agent", "session", "obligation", "evaluation", "evaluator", "subject", "tool", "value", "opened", "ref", "state"])
            {
                if (AuditEntry.String(root, required) is null)
                {
                    return null;
                }
            }

            var obligation = new OpenObligation(
                new SessionKey(AuditEntry.String(root, "agent")!, AuditEntry.String(root, "session")!),
                AuditEntry.String(root, "obligation")!,
                AuditEntry.String(root, "evaluation")!,
                AuditEntry.String(root, "evaluator")!,
                AuditEntry.String(root, "subject")!,
                AuditEntry.String(root, "tool")!,
                AuditEntry.String(root, "argument"),
                AuditEntry.String(root, "value")!,
                DateTimeOffset.Parse(AuditEntry.String(root, "opened")!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                AuditEntry.String(root, "submitted"),
                AuditEntry.String(root, "rescored"),
                AuditEntry.String(root, "ref")!);
            return new ObligationChange(obligation, AuditEntry.String(root, "state") == "opened");
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
