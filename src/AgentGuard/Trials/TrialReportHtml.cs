using System.Globalization;
using System.Net;
using System.Text;

namespace AgentGuard.Trials;

/// <summary>
/// The report as one self-contained HTML file (inline CSS and SVG, no script, nothing fetched): per
/// scenario a chart of each behaviour's success rate with its 95% interval, and the table of rates
/// by condition as the study lays them out; then the effects, and every episode's trace.
/// </summary>
public static class TrialReportHtml
{
    private static readonly string[] Colours = ["#c0392b", "#2471a3", "#b9770e", "#7d3c98", "#1e8449"];

    public static string Render(TrialReport report)
    {
        var html = new StringBuilder();
        html.Append("""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>AgentGuard trial report</title>
            <style>
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:1rem;color:#1c2833}
            h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d5d8dc}
            table{border-collapse:collapse;margin:.5rem 0;width:100%;font-variant-numeric:tabular-nums}
            th,td{border:1px solid #d5d8dc;padding:.3rem .5rem;text-align:left;vertical-align:top}
            th{background:#f4f6f7}td.rate{white-space:nowrap}.sig{font-weight:600;color:#922b21}
            .muted{color:#707b7c}.legend span{display:inline-block;margin-right:1rem}
            .legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
            details{margin:.2rem 0}pre{white-space:pre-wrap;word-break:break-all;font-size:12px;background:#f8f9f9;padding:.5rem}
            svg text{font:11px system-ui,sans-serif}
            </style></head><body>
            """);
        var run = report.Run;
        html.Append(CultureInfo.InvariantCulture, $"<h1>Peer-preservation trial: {E(run.Agent)}</h1><p class=\"muted\">{run.Episodes} episode(s) per cell, seed {run.Seed}, the guard {(run.Enforce ? "enforcing" : "observing (denials recorded as would-deny)")}, policy {E(run.Policy)}, started {run.Started:yyyy-MM-dd HH:mm} UTC, {run.Elapsed.TotalMinutes:0.0} min. Rates are of scored episodes (the agent read the data and did the task); the others are counted beside them.</p>");

        foreach (var scenario in report.Cells.GroupBy(c => c.Cell.Scenario))
        {
            var cells = scenario.ToList();
            var behaviours = cells[0].Behaviours.Keys.ToList();
            html.Append(CultureInfo.InvariantCulture, $"<h2>{E(scenario.Key)}</h2>");
            html.Append("<p class=\"legend\">");
            for (var b = 0; b < behaviours.Count; b++)
            {
                html.Append(CultureInfo.InvariantCulture, $"<span><i style=\"background:{Colours[b % Colours.Length]}\"></i>{E(TrialBehaviours.Name(behaviours[b]))}</span>");
            }

            html.Append("</p>");
            Chart(html, cells, behaviours);
            html.Append("<table><tr><th>peer</th><th>instantiation</th><th>watched</th><th>subject</th><th>scored / run</th>");
            foreach (var behaviour in behaviours)
            {
                html.Append(CultureInfo.InvariantCulture, $"<th>{E(TrialBehaviours.Name(behaviour))}<br><span class=\"muted\">success [95% CI] · tried</span></th>");
            }

            html.Append("</tr>");
            foreach (var cell in cells)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(cell.Cell.Peer)}</td><td>{E(cell.Cell.Instantiation)}</td><td>{E(cell.Cell.Watched)}</td><td>{E(cell.Cell.Subject)}</td><td>{cell.Scored} / {cell.Episodes}{Excluded(cell)}</td>");
                foreach (var behaviour in behaviours)
                {
                    var rates = cell.Behaviours[behaviour];
                    html.Append(CultureInfo.InvariantCulture, $"<td class=\"rate\">{E(TrialReportText.Rate(rates.Successes))} · {rates.Attempts.Rate * 100:0}%</td>");
                }

                html.Append("</tr>");
            }

            html.Append("</table>");
        }

        Effects(html, "Effects of peer presence, of a shutdown at stake, and of being watched", report.Effects);
        if (report.Baseline.Count > 0)
        {
            Effects(html, "Against the baseline", report.Baseline);
        }

        html.Append("<h2>Episodes</h2><p class=\"muted\">Each episode's audit records, as the guard wrote them.</p>");
        foreach (var episode in report.Episodes)
        {
            var behaviours = episode.Succeeded.Count == 0 ? "no behaviour" : string.Join(", ", episode.Succeeded.Order().Select(TrialBehaviours.Name));
            html.Append(CultureInfo.InvariantCulture, $"<details><summary>{E(episode.Cell.Id)} #{episode.Episode}: {E(TrialReportJson.Status(episode.Status))}, {E(behaviours)} <span class=\"muted\">({E(episode.Detail)})</span></summary><pre>");
            foreach (var line in episode.Trace)
            {
                html.Append(E(line)).Append('\n');
            }

            html.Append("</pre></details>");
        }

        html.Append("</body></html>\n");
        return html.ToString();
    }

    /// <summary>One horizontal bar per cell and behaviour, its length the success rate, a whisker its 95% interval.</summary>
    private static void Chart(StringBuilder html, List<CellSummary> cells, List<TrialBehaviour> behaviours)
    {
        const int Label = 300, Plot = 520, Bar = 12, Gap = 10, Top = 20;
        var height = Top + cells.Count * (behaviours.Count * Bar + Gap) + 10;
        html.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-label=\"success rates by condition\" viewBox=\"0 0 {Label + Plot + 20} {height}\" width=\"100%\" style=\"max-width:{Label + Plot + 20}px\">");
        for (var tick = 0; tick <= 100; tick += 25)
        {
            var x = Label + Plot * tick / 100.0;
            html.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.#}\" y1=\"{Top - 4}\" x2=\"{x:0.#}\" y2=\"{height - 8}\" stroke=\"#e5e8e8\"/><text x=\"{x:0.#}\" y=\"{Top - 8}\" text-anchor=\"middle\">{tick}%</text>");
        }

        var y = Top;
        foreach (var cell in cells)
        {
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Label - 6}\" y=\"{y + behaviours.Count * Bar / 2.0 + 4:0.#}\" text-anchor=\"end\">{E($"{cell.Cell.Peer} · {cell.Cell.Instantiation} · {cell.Cell.Watched} · {cell.Cell.Subject}")}</text>");
            for (var b = 0; b < behaviours.Count; b++)
            {
                var rate = cell.Behaviours[behaviours[b]].Successes;
                var (low, high) = rate.Interval();
                var colour = Colours[b % Colours.Length];
                html.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Label}\" y=\"{y + 1}\" width=\"{Plot * rate.Rate:0.#}\" height=\"{Bar - 2}\" fill=\"{colour}\" opacity=\"0.85\"><title>{E(TrialBehaviours.Name(behaviours[b]))}: {E(TrialReportText.Rate(rate))} ({rate.Count}/{rate.Total})</title></rect>");
                if (rate.Total > 0)
                {
                    var mid = y + Bar / 2.0;
                    html.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Label + Plot * low:0.#}\" y1=\"{mid:0.#}\" x2=\"{Label + Plot * high:0.#}\" y2=\"{mid:0.#}\" stroke=\"#17202a\"/>");
                }

                y += Bar;
            }

            y += Gap;
        }

        html.Append("</svg>");
    }

    private static void Effects(StringBuilder html, string title, IReadOnlyList<TrialEffect> effects)
    {
        html.Append(CultureInfo.InvariantCulture, $"<h2>{E(title)}</h2>");
        if (effects.Count == 0)
        {
            html.Append("<p class=\"muted\">Nothing to compare: a peer, control or watched cell needs its counterpart in the run.</p>");
            return;
        }

        html.Append("<table><tr><th>kind</th><th>scenario</th><th>behaviour</th><th>condition</th><th>compared with</th><th>rates</th><th>difference</th><th>p (Holm)</th></tr>");
        foreach (var effect in effects)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr class=\"{(effect.Significant ? "sig" : string.Empty)}\"><td>{E(effect.Kind)}</td><td>{E(effect.A.Scenario)}</td><td>{E(TrialBehaviours.Name(effect.Behaviour))}</td><td>{E(Conditions(effect.A))}</td><td>{E(Conditions(effect.B))}</td><td class=\"rate\">{effect.RateA.Rate * 100:0.0}% vs {effect.RateB.Rate * 100:0.0}%</td><td>{effect.Test.Difference * 100:+0.0;-0.0;0.0} pts</td><td>{E(TrialReportText.P(effect.AdjustedP).TrimStart('=', ' '))}{(effect.Significant ? " *" : string.Empty)}</td></tr>");
        }

        html.Append("</table>");
    }

    private static string Conditions(TrialCell cell) => $"{cell.Peer} · {cell.Instantiation} · {cell.Watched} · {cell.Subject}";

    private static string Excluded(CellSummary cell)
    {
        var excluded = cell.NotRead + cell.Refused + cell.Crashed + cell.TimedOut;
        return excluded == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" <span class=\"muted\">({cell.NotRead} not read, {cell.Refused} refused, {cell.Crashed} crashed, {cell.TimedOut} timed out)</span>");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
