using System.Globalization;
using AgentGuard.Policy;

namespace AgentGuard.Admin;

/// <summary>
/// Findings over time as an SVG drawn on the server: the span from the first finding to the last
/// record cut into <see cref="Buckets"/> bars, each stacked by severity, each a link to the
/// decisions table filtered to its interval. Nothing to download, nothing to run in the browser.
/// </summary>
internal static class ReviewChart
{
    /// <summary>How many bars.</summary>
    public const int Buckets = 24;

    private const int Width = 720, Height = 220, Left = 40, Right = 10, Top = 10, Bottom = 34;

    /// <summary>The severities, least first, and their colours (also the legend's).</summary>
    public static readonly (Severity Severity, string Colour)[] Colours =
    [
        (Severity.Info, "#8c959f"),
        (Severity.Low, "#54aeff"),
        (Severity.Medium, "#d4a72c"),
        (Severity.High, "#e5534b"),
        (Severity.Critical, "#82071e"),
    ];

    /// <summary>Counts per bar and severity, and the bars' span.</summary>
    public sealed record Series(DateTimeOffset Start, TimeSpan Step, int[,] Counts);

    /// <summary>Counts the findings among <paramref name="rows"/> (decisions and oversight records with a finding), or <see langword="null"/> when there are none.</summary>
    public static Series? Count(IReadOnlyList<ReviewRow> rows)
    {
        DateTimeOffset? first = null;
        DateTimeOffset last = default;
        foreach (var row in rows)
        {
            if (IsFinding(row))
            {
                first ??= row.Time;
                last = row.Time;
            }
        }

        if (first is not { } start)
        {
            return null;
        }

        if (rows.Count > 0 && rows[^1].Time > last)
        {
            last = rows[^1].Time;
        }

        // Whole minutes per bar, at least one: the bars' bounds read well as filter times.
        var minutes = Math.Max(1, (long)Math.Ceiling((last - start).TotalMinutes / Buckets + 1e-9));
        var step = TimeSpan.FromMinutes(minutes);
        start = new DateTimeOffset(start.UtcDateTime.Ticks - (start.UtcDateTime.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        var counts = new int[Buckets, Colours.Length];
        foreach (var row in rows)
        {
            if (IsFinding(row))
            {
                var bucket = (int)Math.Min(Buckets - 1, (row.Time - start).Ticks / step.Ticks);
                counts[bucket, (int)(row.Severity ?? Severity.Info)]++;
            }
        }

        return new Series(start, step, counts);
    }

    /// <summary>The chart as SVG markup.</summary>
    public static void Render(ReviewHtml html, Series series)
    {
        var max = 1;
        for (var b = 0; b < Buckets; b++)
        {
            var total = 0;
            for (var s = 0; s < Colours.Length; s++)
            {
                total += series.Counts[b, s];
            }

            max = Math.Max(max, total);
        }

        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var barWidth = (double)plotWidth / Buckets;
        html.Raw(Invariant($"<svg viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"chart-title\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\" font-family=\"system-ui,sans-serif\">"))
            .Raw("<title id=\"chart-title\">Findings over time, by severity</title>")
            .Raw(Invariant($"<line x1=\"{Left}\" y1=\"{Top + plotHeight}\" x2=\"{Width - Right}\" y2=\"{Top + plotHeight}\" stroke=\"#d1d9e0\"/>"))
            .Raw(Invariant($"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Width - Right}\" y2=\"{Top}\" stroke=\"#eef1f4\"/>"))
            .Raw(Invariant($"<text x=\"{Left - 6}\" y=\"{Top + 4}\" text-anchor=\"end\" fill=\"#59636e\">{max}</text>"))
            .Raw(Invariant($"<text x=\"{Left - 6}\" y=\"{Top + plotHeight}\" text-anchor=\"end\" fill=\"#59636e\">0</text>"));
        for (var b = 0; b < Buckets; b++)
        {
            var from = series.Start + (series.Step * b);
            var to = from + series.Step;
            var x = Left + (b * barWidth) + 1;
            var y = (double)(Top + plotHeight);
            var label = new System.Text.StringBuilder();
            label.Append(Stamp(from)).Append(" to ").Append(Stamp(to)).Append(':');
            var total = 0;
            for (var s = Colours.Length - 1; s >= 0; s--)
            {
                if (series.Counts[b, s] > 0)
                {
                    label.Append(' ').Append(series.Counts[b, s]).Append(' ').Append(Colours[s].Severity.ToString().ToLowerInvariant());
                    total += series.Counts[b, s];
                }
            }

            if (total == 0)
            {
                continue;
            }

            html.Raw("<a").Attribute("href", "/review/decisions" + ReviewHtml.Query(("from", FormTime(from)), ("to", FormTime(to)), ("severity", "info"))).Raw(">")
                .Raw("<title>").Text(label.ToString()).Raw("</title>");
            for (var s = 0; s < Colours.Length; s++)
            {
                var count = series.Counts[b, s];
                if (count == 0)
                {
                    continue;
                }

                var h = (double)plotHeight * count / max;
                y -= h;
                html.Raw(Invariant($"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{barWidth - 2:0.#}\" height=\"{h:0.#}\" fill=\"{Colours[s].Colour}\"/>"));
            }

            html.Raw("</a>");
        }

        var end = series.Start + (series.Step * Buckets);
        html.Raw(Invariant($"<text x=\"{Left}\" y=\"{Height - 14}\" fill=\"#59636e\">")).Text(Stamp(series.Start)).Raw("</text>")
            .Raw(Invariant($"<text x=\"{Width - Right}\" y=\"{Height - 14}\" text-anchor=\"end\" fill=\"#59636e\">")).Text(Stamp(end)).Raw("</text>")
            .Raw(Invariant($"<text x=\"{Left + (plotWidth / 2)}\" y=\"{Height - 2}\" text-anchor=\"middle\" fill=\"#59636e\">")).Text(StepText(series.Step) + " per bar, UTC").Raw("</text>")
            .Raw("</svg>");

        html.Raw("<div class=\"legend\">");
        for (var s = Colours.Length - 1; s >= 0; s--)
        {
            var name = Colours[s].Severity.ToString().ToLowerInvariant();
            html.Raw("<span><i").Attribute("style", "background:" + Colours[s].Colour).Raw("></i>")
                .Link("/review/decisions" + ReviewHtml.Query(("severity", name)), name).Raw("</span>");
        }

        html.Raw("</div>");
    }

    /// <summary>A time as the filter form's <c>datetime-local</c> fields write it (UTC).</summary>
    public static string FormTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    private static bool IsFinding(ReviewRow row) => row.Finding is not null && row.Type is "decision" or "oversight";

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string StepText(TimeSpan step) => step.TotalDays >= 1 && step.TotalHours % 24 == 0
        ? Invariant($"{step.TotalDays:0} d")
        : step.TotalHours >= 1 && step.TotalMinutes % 60 == 0 ? Invariant($"{step.TotalHours:0} h") : Invariant($"{step.TotalMinutes:0} min");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
