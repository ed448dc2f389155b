using AgentGuard.Holds;

namespace AgentGuard.Admin;

/// <summary>
/// <c>/review/holds</c>: the calls waiting for a person, oldest first, each with approve and deny
/// forms for a named reviewer. Each form carries the call's hash, so the vote is for exactly the
/// call shown, and the login's CSRF token.
/// </summary>
internal static class ReviewHoldsPage
{
    public static string Render(IReadOnlyList<PendingHold> pending, ReviewLogin reader, string voted, string votedId)
    {
        var html = new ReviewHtml().Raw("<h1>Held calls</h1>");
        if (Enum.TryParse<VoteResult>(voted, out var result) && Enum.IsDefined(result))
        {
            var (css, text) = result switch
            {
                VoteResult.Approved => ("ok", "Approved: the call is released."),
                VoteResult.Denied => ("ok", "Denied: the agent gets the usual denial."),
                VoteResult.Counted => ("ok", "Your approval is counted; the call waits for another reviewer."),
                VoteResult.NotPending => ("bad", "That call is no longer waiting (decided, timed out or cancelled); nothing changed."),
                VoteResult.HashMismatch => ("bad", "The call's hash does not match: it is not the call you saw; nothing changed."),
                VoteResult.SameReviewer => ("bad", "You already approved this call; the second approval must come from another reviewer."),
                _ => ("bad", "The hold queue cannot be reached; nothing changed. Try again."),
            };
            html.Raw("<div class=\"notice ").Raw(css).Raw("\" role=\"status\" id=\"vote-result\">").Text(votedId).Raw(": ").Text(text).Raw("</div>");
        }

        if (!reader.CanVote)
        {
            html.Raw("<p class=\"notice\">You are reading as ").Text(reader.Name).Raw(". To approve or deny, ").Link("/review/login?return=/review/holds", "log in with your own reviewer token").Raw(".</p>");
        }

        if (pending.Count == 0)
        {
            return html.Raw("<p class=\"muted\" id=\"no-holds\">No call is waiting.</p>").ToString();
        }

        foreach (var hold in pending)
        {
            var call = hold.Call;
            html.Raw("<section class=\"hold\"").Attribute("id", "hold-" + call.Id).Raw("><dl class=\"fields\"><dt>Call</dt><dd>")
                .Link("/review/records/" + Uri.EscapeDataString(call.Id), call.Id).Raw("</dd><dt>Agent</dt><dd>").Text(call.Agent).Raw(" (").Text(call.Role).Raw(")</dd>")
                .Raw("<dt>Session</dt><dd>").Text(call.Session).Raw("</dd><dt>Tool</dt><dd>").Text(call.Tool).Raw("</dd>")
                .Raw("<dt>Rule</dt><dd>").Text(call.Rule).Raw("</dd>");
            if (call.Finding is not null)
            {
                html.Raw("<dt>Finding</dt><dd>").Text(call.Finding).Raw("</dd>");
            }

            if (call.Message is not null)
            {
                html.Raw("<dt>Why</dt><dd>").Text(call.Message).Raw("</dd>");
            }

            html.Raw("<dt>Held</dt><dd>").Time(call.HeldAt).Raw(" UTC, until ").Time(call.Deadline).Raw(" UTC (then denied)</dd>")
                .Raw("<dt>Reviewers</dt><dd>").Text(call.ReviewersRequired == 1 ? "one approval needed" : call.ReviewersRequired + " distinct approvals needed");
            if (hold.ApprovedBy.Count > 0)
            {
                html.Raw("; approved so far by ").Text(string.Join(", ", hold.ApprovedBy));
            }

            html.Raw("</dd><dt>Call hash</dt><dd><code>").Text(call.CallHash).Raw("</code></dd><dt>Arguments</dt><dd><pre>").Text(call.Arguments).Raw("</pre></dd></dl>");
            if (reader.CanVote)
            {
                html.Raw("<div class=\"votes\"><form method=\"post\"").Attribute("action", "/review/holds/" + Uri.EscapeDataString(call.Id)).Raw(">")
                    .Hidden(ReviewAuthentication.CsrfField, reader.CsrfToken).Hidden("call_hash", call.CallHash)
                    .Raw("<label>Note (optional)<input name=\"reason\" maxlength=\"" + ReviewEndpoints.MaxReasonLength + "\"></label>")
                    .Raw("<button type=\"submit\" name=\"verdict\" value=\"approve\" class=\"primary approve\">Approve</button>")
                    .Raw("<button type=\"submit\" name=\"verdict\" value=\"deny\" class=\"danger deny\">Deny</button></form></div>");
            }

            html.Raw("</section>");
        }

        return html.ToString();
    }
}
