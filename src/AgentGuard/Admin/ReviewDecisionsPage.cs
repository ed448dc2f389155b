namespace AgentGuard.Admin;

/// <summary><c>/review/decisions</c>: the filter form (GET, so a filtered view is a link) and a page of matching records, newest first.</summary>
internal static class ReviewDecisionsPage
{
    private static readonly string[] TextFilters = ["agent", "session", "tool", "rule", "finding"];
    private static readonly string[] Severities = ["info", "low", "medium", "high", "critical"];
    private static readonly string[] DecisionValues = ["allow", "flag", "deny", "hold", "approved", "denied", "timed-out"];

    public static string Render(ReviewFilter filter, IQueryCollection query, List<ReviewRow> rows, bool hasNewer, bool hasOlder, string? error)
    {
        var html = new ReviewHtml().Raw("<h1>Decisions</h1>");
        if (error is not null)
        {
            html.Raw("<div class=\"notice bad\" role=\"alert\">").Text(error).Raw("</div>");
        }

        html.Raw("<form class=\"filters\" method=\"get\" action=\"/review/decisions\" id=\"filters\">");
        foreach (var name in TextFilters)
        {
            html.Raw("<label>").Text(Title(name)).Raw("<input").Attribute("name", name).Attribute("id", "f-" + name).Attribute("value", query[name].ToString()).Raw("></label>");
        }

        Select(html, "severity", "Severity (at least)", Severities, query["severity"].ToString());
        Select(html, "decision", "Decision", DecisionValues, query["decision"].ToString());
        html.Raw("<label>From (UTC)<input type=\"datetime-local\" name=\"from\" id=\"f-from\"").Attribute("value", query["from"].ToString()).Raw("></label>")
            .Raw("<label>To (UTC)<input type=\"datetime-local\" name=\"to\" id=\"f-to\"").Attribute("value", query["to"].ToString()).Raw("></label>")
            .Raw("<div><button type=\"submit\" class=\"primary\" id=\"apply\">Filter</button> <a href=\"/review/decisions\">Clear</a></div></form>");

        if (rows.Count == 0)
        {
            html.Raw("<p class=\"muted\" id=\"no-rows\">No records match.</p>");
        }
        else
        {
            html.Raw("<div class=\"scroll\"><table id=\"decisions\"><thead><tr><th class=\"num\">Seq</th><th>Time (UTC)</th><th>Agent</th><th class=\"hide-narrow\">Session</th><th>Tool</th>")
                .Raw("<th>Decision</th><th>Finding</th><th>Severity</th><th class=\"hide-narrow\">Rule</th><th>Record</th></tr></thead><tbody>");
            foreach (var row in rows)
            {
                var key = row.Reference ?? "seq-" + row.Sequence;
                html.Raw("<tr><td class=\"num\">").Number(row.Sequence).Raw("</td><td>").Time(row.Time).Raw("</td><td>").Text(row.Agent)
                    .Raw("</td><td class=\"hide-narrow\">").Text(Short(row.Session)).Raw("</td><td>").Text(row.Tool).Raw("</td><td>")
                    .Badge(row.Type == "hold" ? row.Event : row.Type == "oversight" ? "oversight" : row.Decision).Raw("</td><td>").Text(row.Finding).Raw("</td><td>")
                    .Badge(row.Severity?.ToString().ToLowerInvariant()).Raw("</td><td class=\"hide-narrow\">").Text(row.Rule).Raw("</td><td>")
                    .Link("/review/records/" + Uri.EscapeDataString(key), row.Reference ?? "#" + row.Sequence, "record").Raw("</td></tr>");
            }

            html.Raw("</tbody></table></div>");
        }

        html.Raw("<nav class=\"pager\">");
        if (hasNewer)
        {
            html.Link("/review/decisions" + Keep(query, null, null), "« Newest").Link("/review/decisions" + Keep(query, null, rows[0].Sequence), "‹ Newer", "newer");
        }

        if (hasOlder)
        {
            html.Link("/review/decisions" + Keep(query, rows[^1].Sequence, null), "Older ›", "older");
        }

        html.Raw("</nav>");
        return html.ToString();
    }

    private static void Select(ReviewHtml html, string name, string label, string[] values, string current)
    {
        html.Raw("<label>").Text(label).Raw("<select").Attribute("name", name).Attribute("id", "f-" + name).Raw("><option value=\"\">any</option>");
        foreach (var value in values)
        {
            html.Raw("<option").Attribute("value", value).Raw(string.Equals(value, current, StringComparison.OrdinalIgnoreCase) ? " selected>" : ">").Text(value).Raw("</option>");
        }

        html.Raw("</select></label>");
    }

    /// <summary>The current filters with another page cursor.</summary>
    private static string Keep(IQueryCollection query, long? before, long? after)
    {
        var pairs = new List<(string, string?)>();
        foreach (var (key, values) in query)
        {
            if (key is not ("before" or "after"))
            {
                pairs.Add((key, values.ToString()));
            }
        }

        pairs.Add(("before", before?.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        pairs.Add(("after", after?.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return ReviewHtml.Query([.. pairs]);
    }

    private static string Title(string name) => char.ToUpperInvariant(name[0]) + name[1..];

    private static string? Short(string? session) => session is { Length: > 18 } ? session[..16] + "…" : session;
}
