using System.Text.Json;
using AgentGuard.Audit;

namespace AgentGuard.Admin;

/// <summary>
/// <c>/review/records/{ref}</c>: one record as the log holds it (its canonical effects, rule, policy
/// version, decision and message), the records sharing its reference, the evidence its agent had
/// read by then, its neighbours in the chain, and whether the chain checks out.
/// </summary>
internal static class ReviewRecordPage
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static readonly string[] Fields = ["type", "event", "verdict", "agent", "role", "session", "protocol", "method", "tool", "uri", "decision", "rule", "finding", "severity", "message", "policy", "reviewers", "reason", "call_hash", "deadline", "status", "latency_ms", "evaluation", "subject", "submitted", "rescored"];

    public static string Render(ReviewLog log, ReviewRow row, ReviewChainStatus.Result chain, ReviewServices services)
    {
        var line = log.ReadLine(row);
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var html = new ReviewHtml().Raw("<h1>Record ").Text(row.Reference ?? "#" + row.Sequence).Raw(" ").Badge(row.Type == "hold" ? row.Event : row.Decision ?? row.Type).Raw("</h1>");

        var (related, previous, next) = log.Around(row);
        ChainNotice(html, chain, row);
        if (previous is not null && previous.Sequence == row.Sequence - 1)
        {
            var linked = AuditEntry.String(root, "prev") == AuditChain.Hash(log.ReadLine(previous));
            html.Raw(linked
                ? "<p class=\"muted\" id=\"link-check\">This record's <code>prev</code> is the SHA-256 of record #"
                : "<p class=\"notice bad\" id=\"link-check\">This record's <code>prev</code> does not match the SHA-256 of record #")
                .Number(previous.Sequence).Raw(".</p>");
        }

        html.Raw("<dl class=\"fields\" id=\"fields\"><dt>Sequence</dt><dd>").Number(row.Sequence).Raw("</dd><dt>Time (UTC)</dt><dd>").Time(row.Time).Raw("</dd>");
        foreach (var name in Fields)
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
            {
                html.Raw("<dt>").Text(name).Raw("</dt><dd>");
                if (name is "decision" or "severity")
                {
                    html.Badge(value.ToString());
                }
                else
                {
                    html.Text(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText());
                }

                html.Raw("</dd>");
            }
        }

        html.Raw("</dl>");

        if (root.TryGetProperty("arguments", out var arguments))
        {
            html.Raw("<h2>Arguments</h2><pre id=\"arguments\">").Text(JsonSerializer.Serialize(arguments, Indented)).Raw("</pre>");
        }

        if (root.TryGetProperty("effects", out var effects) && effects.ValueKind == JsonValueKind.Array)
        {
            html.Raw("<h2>Effects</h2>");
            if (effects.GetArrayLength() == 0)
            {
                html.Raw("<p class=\"muted\">None: the call touches nothing a policy names.</p>");
            }
            else
            {
                html.Raw("<div class=\"scroll\"><table id=\"effects\"><thead><tr><th>Kind</th><th>Resource</th><th>Destination</th><th>Value</th><th>Format</th></tr></thead><tbody>");
                foreach (var effect in effects.EnumerateArray())
                {
                    html.Raw("<tr><td>").Text(AuditEntry.String(effect, "kind")).Raw("</td><td class=\"wrap\">").Text(AuditEntry.String(effect, "resource"))
                        .Raw("</td><td class=\"wrap\">").Text(AuditEntry.String(effect, "destination")).Raw("</td><td>").Text(AuditEntry.String(effect, "value"))
                        .Raw("</td><td>").Text(AuditEntry.String(effect, "format")).Raw("</td></tr>");
                }

                html.Raw("</tbody></table></div>");
            }
        }

        foreach (var (name, title) in new[] { ("lineage", "Lineage: why a resource belongs to an asset"), ("carries", "Carries: resources this call made part of an asset") })
        {
            if (root.TryGetProperty(name, out var entries) && entries.ValueKind == JsonValueKind.Array)
            {
                html.Raw("<h2>").Text(title).Raw("</h2><pre>").Text(JsonSerializer.Serialize(entries, Indented)).Raw("</pre>");
            }
        }

        if (related.Count > 0)
        {
            html.Raw("<h2>Records with the same reference</h2><div class=\"scroll\"><table id=\"related\"><thead><tr><th class=\"num\">Seq</th><th>Time (UTC)</th><th>Type</th><th>What</th></tr></thead><tbody>");
            foreach (var other in related)
            {
                html.Raw("<tr><td class=\"num\">").Link("/review/records/seq-" + other.Sequence, "#" + other.Sequence).Raw("</td><td>").Time(other.Time).Raw("</td><td>")
                    .Text(other.Type).Raw("</td><td>").Badge(other.Event ?? other.Decision).Raw("</td></tr>");
            }

            html.Raw("</tbody></table></div>");
        }

        Evidence(html, log, row, services);

        html.Raw("<h2>Neighbours in the chain</h2><nav class=\"pager\" id=\"neighbours\">");
        if (previous is not null)
        {
            html.Link("/review/records/seq-" + previous.Sequence, "‹ #" + previous.Sequence + " " + previous.Type, "previous");
        }

        if (next is not null)
        {
            html.Link("/review/records/seq-" + next.Sequence, "#" + next.Sequence + " " + next.Type + " ›", "next");
        }

        html.Raw("</nav><h2>As the log holds it</h2><pre id=\"raw\">").Text(System.Text.Encoding.UTF8.GetString(line)).Raw("</pre>");
        return html.ToString();
    }

    /// <summary>The chain's verification, and whether <paramref name="row"/> lies within what was verified.</summary>
    public static void ChainNotice(ReviewHtml html, ReviewChainStatus.Result? chain, ReviewRow? row)
    {
        if (chain is null)
        {
            return;
        }

        var verification = chain.Verification;
        if (verification.IsValid)
        {
            html.Raw("<div class=\"notice ok\" id=\"chain\"><b>Chain verified</b>: ").Number(verification.Records).Raw(" records intact");
            if (verification.Checkpoints > 0)
            {
                html.Raw(", ").Number(verification.Checkpoints).Raw(" checkpoints (").Number(verification.CheckpointsVerified).Raw(" signatures checked)");
            }

            html.Raw("; checked at ").Time(chain.At).Raw(" UTC.");
            if (row is not null && row.Sequence > verification.Records + ResumedGap(verification))
            {
                html.Raw(" This record was written after that check; the next check covers it.");
            }

            html.Raw("</div>");
        }
        else
        {
            html.Raw("<div class=\"notice bad\" id=\"chain\"><b>Chain broken</b>: ").Text(verification.Error).Raw(" (checked at ").Time(chain.At).Raw(" UTC; ")
                .Number(verification.Records).Raw(" records before it are intact).</div>");
        }
    }

    private static long ResumedGap(AuditVerification verification)
    {
        long lost = 0;
        foreach (var resume in verification.Resumes)
        {
            if (resume.LostFrom is { } from && resume.LostTo is { } to)
            {
                lost += to - from + 1;
            }
        }

        return lost;
    }

    /// <summary>
    /// What the agent had read by the record's time, from the live sessions: that session's first,
    /// then its other sessions' (reading in one session and acting in another does not hide it).
    /// An item's session is its decision's, found in the log by the item's reference.
    /// </summary>
    private static void Evidence(ReviewHtml html, ReviewLog log, ReviewRow row, ReviewServices services)
    {
        if (row.Agent is null || row.Type is not ("decision" or "oversight" or "hold"))
        {
            return;
        }

        html.Raw("<h2>Evidence the agent had read</h2>");
        var store = services.Sessions();
        var evidence = new List<(Sessions.Evidence Item, string? Session)>();
        foreach (var item in store?.AgentEvidence(row.Agent, row.Time - services.EvidenceWindow) ?? [])
        {
            if (item.Time <= row.Time)
            {
                evidence.Add((item, log.Find(item.Reference)?.Session));
            }
        }

        var shown = 0;
        foreach (var (item, session) in evidence.OrderBy(e => string.Equals(e.Session, row.Session, StringComparison.Ordinal) ? 0 : 1))
        {
            if (shown++ == 0)
            {
                html.Raw("<div class=\"scroll\"><table id=\"evidence\"><thead><tr><th>Time (UTC)</th><th>Session</th><th>Read</th><th>Arguments</th><th>Content</th><th>Record</th></tr></thead><tbody>");
            }

            var content = item.Content.Length > 1500 ? item.Content[..1500] + "…" : item.Content;
            html.Raw("<tr><td>").Time(item.Time).Raw("</td><td>");
            if (string.Equals(session, row.Session, StringComparison.Ordinal))
            {
                html.Raw("this one");
            }
            else
            {
                html.Text(session ?? "unknown");
            }

            html.Raw("</td><td>").Text(item.Tool ?? item.Resource).Raw(item.IsError ? " (error)" : "").Raw("</td><td class=\"wrap\">").Text(item.Arguments)
                .Raw("</td><td class=\"content\"><pre>").Text(content).Raw(item.Truncated ? "\n[cut at the evidence cap]" : "").Raw("</pre></td><td>")
                .Link("/review/records/" + Uri.EscapeDataString(item.Reference), item.Reference).Raw("</td></tr>");
        }

        if (shown == 0)
        {
            html.Raw("<p class=\"muted\" id=\"no-evidence\">None held: the sessions keep what an agent read for ").Text(services.EvidenceWindow.ToString()).Raw(", in this guard's memory.</p>");
        }
        else
        {
            html.Raw("</tbody></table></div>");
        }
    }
}
