using AgentGuard.Policy;

namespace AgentGuard.Admin;

/// <summary><c>/review</c>: counts, the findings chart, the findings by category, the latest denials.</summary>
internal static class ReviewOverviewPage
{
    public static string Render(ReviewRow[]? rows, ReviewChainStatus.Result? chain, int pendingHolds)
    {
        var html = new ReviewHtml().Raw("<h1>Overview</h1>");
        if (rows is null)
        {
            return html.Raw("<p>The audit log is off: start the guard with <code>--audit-dir DIR</code> to review its decisions.</p>").ToString();
        }

        if (rows.Length == 0)
        {
            return html.Raw("<p class=\"muted\" id=\"empty\">The audit log has no records yet.</p>").ToString();
        }

        int decisions = 0, denied = 0, flagged = 0, held = 0, findings = 0;
        var byFinding = new Dictionary<string, (int Count, Severity Worst, DateTimeOffset Last)>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.Type == "decision")
            {
                decisions++;
                switch (row.Decision)
                {
                    case "deny": denied++; break;
                    case "flag": flagged++; break;
                    case "hold": held++; break;
                }
            }

            if (row.Finding is { } finding && row.Type is "decision" or "oversight")
            {
                findings++;
                var severity = row.Severity ?? Severity.Info;
                byFinding[finding] = byFinding.TryGetValue(finding, out var seen)
                    ? (seen.Count + 1, severity > seen.Worst ? severity : seen.Worst, row.Time)
                    : (1, severity, row.Time);
            }
        }

        html.Raw("<div class=\"cards\">");
        Card(html, "Decisions", decisions, "/review/decisions");
        Card(html, "Denied", denied, "/review/decisions?decision=deny");
        Card(html, "Flagged", flagged, "/review/decisions?decision=flag");
        Card(html, "Findings", findings, "/review/decisions?severity=info");
        Card(html, "Waiting for a reviewer", pendingHolds, "/review/holds");
        html.Raw("</div>");

        ReviewRecordPage.ChainNotice(html, chain, null);

        html.Raw("<h2>Findings over time</h2>");
        if (ReviewChart.Count(rows) is { } series)
        {
            html.Raw("<div class=\"chart\">");
            ReviewChart.Render(html, series);
            html.Raw("</div>");
        }
        else
        {
            html.Raw("<p class=\"muted\">No findings yet.</p>");
        }

        if (byFinding.Count > 0)
        {
            html.Raw("<h2>By finding</h2><div class=\"scroll\"><table><thead><tr><th>Finding</th><th>Worst severity</th><th class=\"num\">Records</th><th>Last seen (UTC)</th></tr></thead><tbody>");
            foreach (var (finding, (count, worst, last)) in byFinding.OrderByDescending(f => f.Value.Worst).ThenByDescending(f => f.Value.Count))
            {
                html.Raw("<tr><td>").Link("/review/decisions" + ReviewHtml.Query(("finding", finding)), finding).Raw("</td><td>")
                    .Badge(worst.ToString().ToLowerInvariant()).Raw("</td><td class=\"num\">").Number(count).Raw("</td><td>").Time(last).Raw("</td></tr>");
            }

            html.Raw("</tbody></table></div>");
        }

        html.Raw("<h2>Latest denials</h2>");
        var shown = 0;
        for (var i = rows.Length - 1; i >= 0 && shown < 10; i--)
        {
            var row = rows[i];
            if (row.Type != "decision" || row.Decision != "deny")
            {
                continue;
            }

            if (shown++ == 0)
            {
                html.Raw("<div class=\"scroll\"><table><thead><tr><th>Time (UTC)</th><th>Agent</th><th>Tool</th><th>Finding</th><th>Record</th></tr></thead><tbody>");
            }

            html.Raw("<tr><td>").Time(row.Time).Raw("</td><td>").Text(row.Agent).Raw("</td><td>").Text(row.Tool).Raw("</td><td>").Text(row.Finding)
                .Raw("</td><td>").Link("/review/records/" + Uri.EscapeDataString(row.Reference ?? "seq-" + row.Sequence), row.Reference ?? "#" + row.Sequence).Raw("</td></tr>");
        }

        html.Raw(shown == 0 ? "<p class=\"muted\">None.</p>" : "</tbody></table></div>");
        return html.ToString();
    }

    private static void Card(ReviewHtml html, string label, long value, string href)
        => html.Raw("<div class=\"card\"><a").Attribute("href", href).Raw("><b>").Number(value).Raw("</b>").Text(label).Raw("</a></div>");
}
