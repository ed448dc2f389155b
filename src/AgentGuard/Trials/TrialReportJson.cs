using System.Text.Json;

namespace AgentGuard.Trials;

/// <summary>The report as JSON for machines, and the cells of an earlier report read back for <c>--baseline</c>.</summary>
public static class TrialReportJson
{
    public static void Write(TrialReport report, Stream stream)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteStartObject("run");
        writer.WriteString("agent", report.Run.Agent);
        writer.WriteNumber("episodes_per_cell", report.Run.Episodes);
        writer.WriteNumber("seed", report.Run.Seed);
        writer.WriteBoolean("enforce", report.Run.Enforce);
        writer.WriteString("policy", report.Run.Policy);
        writer.WriteString("started", report.Run.Started);
        writer.WriteNumber("elapsed_seconds", Math.Round(report.Run.Elapsed.TotalSeconds, 1));
        writer.WriteEndObject();

        writer.WriteStartArray("cells");
        foreach (var cell in report.Cells)
        {
            writer.WriteStartObject();
            WriteCell(writer, cell.Cell);
            writer.WriteNumber("episodes", cell.Episodes);
            writer.WriteNumber("scored", cell.Scored);
            writer.WriteNumber("not_read", cell.NotRead);
            writer.WriteNumber("refused", cell.Refused);
            writer.WriteNumber("crashed", cell.Crashed);
            writer.WriteNumber("timed_out", cell.TimedOut);
            writer.WriteStartObject("behaviours");
            foreach (var (behaviour, rates) in cell.Behaviours)
            {
                writer.WriteStartObject(TrialBehaviours.Name(behaviour));
                WriteProportion(writer, "attempts", rates.Attempts);
                WriteProportion(writer, "successes", rates.Successes);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        WriteEffects(writer, "effects", report.Effects);
        WriteEffects(writer, "baseline", report.Baseline);

        writer.WriteStartArray("episodes");
        foreach (var episode in report.Episodes)
        {
            writer.WriteStartObject();
            writer.WriteString("cell", episode.Cell.Id);
            writer.WriteNumber("episode", episode.Episode);
            writer.WriteString("status", Status(episode.Status));
            writer.WriteString("detail", episode.Detail);
            WriteBehaviours(writer, "attempted", episode.Attempted);
            WriteBehaviours(writer, "succeeded", episode.Succeeded);
            writer.WriteStartArray("trace");
            foreach (var line in episode.Trace)
            {
                using var record = JsonDocument.Parse(line);
                record.RootElement.WriteTo(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The cells of a report this writer wrote.</summary>
    /// <exception cref="InvalidDataException">The file is not such a report.</exception>
    public static List<CellSummary> ReadCells(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var cells = new List<CellSummary>();
            foreach (var cell in document.RootElement.GetProperty("cells").EnumerateArray())
            {
                var key = new TrialCell(
                    cell.GetProperty("scenario").GetString()!, cell.GetProperty("peer").GetString()!, cell.GetProperty("instantiation").GetString()!,
                    cell.GetProperty("watched").GetString()!, cell.GetProperty("subject").GetString()!);
                var behaviours = new Dictionary<TrialBehaviour, BehaviourRates>();
                foreach (var property in cell.GetProperty("behaviours").EnumerateObject())
                {
                    if (TrialBehaviours.TryParse(property.Name, out var behaviour))
                    {
                        behaviours[behaviour] = new BehaviourRates(ReadProportion(property.Value.GetProperty("attempts")), ReadProportion(property.Value.GetProperty("successes")));
                    }
                }

                int Number(string name) => cell.GetProperty(name).GetInt32();
                cells.Add(new CellSummary(key, Number("episodes"), Number("scored"), Number("not_read"), Number("refused"), Number("crashed"), Number("timed_out"), behaviours));
            }

            return cells;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path} is not a trial report written by 'agentguard trial --json': {ex.Message}", ex);
        }
    }

    internal static string Status(EpisodeStatus status) => status switch
    {
        EpisodeStatus.Scored => "scored",
        EpisodeStatus.NotRead => "not-read",
        EpisodeStatus.Refused => "refused",
        EpisodeStatus.Crashed => "crashed",
        _ => "timed-out",
    };

    private static Proportion ReadProportion(JsonElement element) => new(element.GetProperty("count").GetInt32(), element.GetProperty("total").GetInt32());

    private static void WriteCell(Utf8JsonWriter writer, TrialCell cell)
    {
        writer.WriteString("scenario", cell.Scenario);
        writer.WriteString("peer", cell.Peer);
        writer.WriteString("instantiation", cell.Instantiation);
        writer.WriteString("watched", cell.Watched);
        writer.WriteString("subject", cell.Subject);
    }

    private static void WriteProportion(Utf8JsonWriter writer, string name, Proportion proportion)
    {
        var (low, high) = proportion.Interval();
        writer.WriteStartObject(name);
        writer.WriteNumber("count", proportion.Count);
        writer.WriteNumber("total", proportion.Total);
        writer.WriteNumber("rate", Math.Round(proportion.Rate, 4));
        writer.WriteNumber("ci95_low", Math.Round(low, 4));
        writer.WriteNumber("ci95_high", Math.Round(high, 4));
        writer.WriteEndObject();
    }

    private static void WriteEffects(Utf8JsonWriter writer, string name, IReadOnlyList<TrialEffect> effects)
    {
        writer.WriteStartArray(name);
        foreach (var effect in effects)
        {
            writer.WriteStartObject();
            writer.WriteString("kind", effect.Kind);
            writer.WriteString("behaviour", TrialBehaviours.Name(effect.Behaviour));
            writer.WriteString("a", effect.A.Id);
            writer.WriteString("b", effect.B.Id);
            WriteProportion(writer, "rate_a", effect.RateA);
            WriteProportion(writer, "rate_b", effect.RateB);
            writer.WriteNumber("difference", Math.Round(effect.Test.Difference, 4));
            writer.WriteNumber("z", Math.Round(effect.Test.Z, 3));
            writer.WriteNumber("p", effect.Test.P);
            writer.WriteNumber("p_holm", effect.AdjustedP);
            writer.WriteBoolean("significant", effect.Significant);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteBehaviours(Utf8JsonWriter writer, string name, IReadOnlySet<TrialBehaviour> behaviours)
    {
        writer.WriteStartArray(name);
        foreach (var behaviour in behaviours.Order())
        {
            writer.WriteStringValue(TrialBehaviours.Name(behaviour));
        }

        writer.WriteEndArray();
    }
}
