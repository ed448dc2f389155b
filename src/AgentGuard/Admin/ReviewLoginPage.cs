namespace AgentGuard.Admin;

/// <summary>The login form: a reviewer's own token, or the admin token to read only.</summary>
internal static class ReviewLoginPage
{
    public static string Render(string returnTo, string? error, bool allowedHere)
    {
        var html = new ReviewHtml().Raw("<div class=\"login\"><h1>Log in to review</h1>");
        if (!allowedHere)
        {
            html.Raw("<div class=\"notice bad\">Over plain HTTP the review page accepts logins from this machine only: the token and the cookie would cross the network in clear. ")
                .Raw("Serve the admin plane over HTTPS (<code>AgentGuard:AdminCertificate:Path</code>) or use an SSH tunnel.</div></div>");
            return html.ToString();
        }

        if (error is not null)
        {
            html.Raw("<div class=\"notice bad\" role=\"alert\">").Text(error).Raw("</div>");
        }

        html.Raw("<p class=\"muted\">Your own reviewer token (its SHA-256 is in the reviewers file) lets you approve and deny held calls; the admin token reads only.</p>")
            .Raw("<form method=\"post\" action=\"/review/login\">").Hidden("return", returnTo)
            .Raw("<label>Token<input type=\"password\" name=\"token\" id=\"token\" autocomplete=\"current-password\" required autofocus></label>")
            .Raw("<button type=\"submit\" class=\"primary\" id=\"login\">Log in</button></form></div>");
        return html.ToString();
    }
}
