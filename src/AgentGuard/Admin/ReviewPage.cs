using System.Text;

namespace AgentGuard.Admin;

/// <summary>
/// A review page: the shared layout (navigation, who is signed in, the stylesheet) around a body,
/// with headers that keep it to itself: no scripts at all (a Content-Security-Policy without
/// <c>script-src</c>), no framing, no caching, no referrer to other sites.
/// </summary>
internal sealed class ReviewPage(string title, ReviewLogin? login, string body, int status = StatusCodes.Status200OK) : IResult
{
    private const string Style = """
        :root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--accent:#0969da}
        *{box-sizing:border-box}
        body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#fff}
        header{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;padding:.6rem 1rem;background:#24292f;color:#fff}
        header a{color:#fff;text-decoration:none;padding:.2rem .1rem}
        header a[aria-current]{border-bottom:2px solid #fff}
        header .brand{font-weight:600;margin-right:.5rem}
        header .who{margin-left:auto;display:flex;gap:.5rem;align-items:center;font-size:.9em}
        header form{margin:0}
        header button{background:none;border:1px solid #8c959f;color:#fff;border-radius:4px;padding:.1rem .5rem;cursor:pointer}
        main{padding:1rem;max-width:1400px;margin:0 auto}
        h1{font-size:1.35rem;margin:.2rem 0 .8rem}
        h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
        a{color:var(--accent)}
        .muted{color:var(--muted)}
        .scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
        table{border-collapse:collapse;width:100%;font-size:.9em}
        th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
        th{background:var(--bg);white-space:nowrap}
        td.num,th.num{text-align:right}
        td.wrap{word-break:break-all;min-width:12rem}
        .badge{display:inline-block;padding:0 .4rem;border-radius:1rem;font-size:.85em;white-space:nowrap;border:1px solid}
        .b-bad{background:#ffebe9;color:#a40e26;border-color:#ffcecb}
        .b-warn{background:#fff8c5;color:#7d4e00;border-color:#f5e0a0}
        .b-ok{background:#dafbe1;color:#116329;border-color:#aceebb}
        .b-info{background:var(--bg);color:var(--muted);border-color:var(--line)}
        .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.6rem;margin:.5rem 0 1rem}
        .card{border:1px solid var(--line);border-radius:6px;padding:.5rem .7rem}
        .card b{display:block;font-size:1.4rem}
        .card a{text-decoration:none}
        form.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.5rem;align-items:end;margin-bottom:1rem}
        label{display:flex;flex-direction:column;font-size:.85em;color:var(--muted);gap:.15rem}
        input,select,textarea{font:inherit;padding:.3rem .4rem;border:1px solid var(--line);border-radius:4px;min-width:0;width:100%}
        button{font:inherit;padding:.35rem .8rem;border-radius:4px;border:1px solid var(--line);background:var(--bg);cursor:pointer}
        button.primary{background:#1f883d;color:#fff;border-color:#1a7f37}
        button.danger{background:#cf222e;color:#fff;border-color:#a40e26}
        .pager{display:flex;gap:1rem;margin:1rem 0;flex-wrap:wrap}
        dl.fields{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
        dl.fields dt{color:var(--muted)}
        dl.fields dd{margin:0;word-break:break-word}
        pre{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-word;font-size:.85em;max-height:24rem}
        .notice{border:1px solid var(--line);border-left:4px solid var(--accent);padding:.5rem .8rem;margin:.5rem 0 1rem;background:var(--bg)}
        .notice.bad{border-left-color:#cf222e}
        .notice.ok{border-left-color:#1f883d}
        .hold{border:1px solid var(--line);border-radius:6px;padding:.8rem;margin-bottom:1rem}
        .votes{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-top:.6rem}
        .votes form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}
        .votes input[name=reason]{width:16rem;max-width:100%}
        svg{max-width:100%;height:auto}
        .chart{max-width:900px}
        td pre{max-height:10rem;margin:0}
        td.content{min-width:26rem;width:45%}
        .legend{display:flex;flex-wrap:wrap;gap:.8rem;font-size:.85em;margin:.3rem 0}
        .legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.25rem;vertical-align:-.1rem}
        .login{max-width:26rem;margin:3rem auto}
        .login form{display:grid;gap:.8rem}
        @media (max-width:600px){
          main{padding:.6rem}
          dl.fields{gap:.2rem .6rem}
          th,td{padding:.3rem .35rem}
          .hide-narrow{display:none}
          header{padding:.4rem .6rem;gap:.1rem .8rem}
          header .brand{width:100%}
          header .who{margin-left:auto}
        }
        """;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var html = new ReviewHtml();
        var path = httpContext.Request.Path.Value ?? "/review";
        html.Raw("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Raw("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
            .Raw("<title>").Text(title).Raw(" · AgentGuard review</title><style>").Raw(Style).Raw("</style></head><body><header>")
            .Raw("<span class=\"brand\">AgentGuard review</span>");
        if (login is not null)
        {
            Nav(html, path, "/review", "Overview");
            Nav(html, path, "/review/decisions", "Decisions");
            Nav(html, path, "/review/holds", "Held calls");
            html.Raw("<span class=\"who\">");
            if (login.CsrfToken.Length > 0)
            {
                html.Raw("<span>").Text(login.Name).Raw(login.CanVote ? "" : " (read-only)").Raw("</span>")
                    .Raw("<form method=\"post\" action=\"/review/logout\">").Hidden(ReviewAuthentication.CsrfField, login.CsrfToken)
                    .Raw("<button type=\"submit\">Log out</button></form>");
            }
            else
            {
                html.Raw("<span>").Text(login.Name).Raw(" (read-only)</span>").Link("/review/login", "Log in");
            }

            html.Raw("</span>");
        }

        html.Raw("</header><main>").Raw(body).Raw("</main></body></html>");

        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        Secure(response.Headers);
        await response.WriteAsync(html.ToString(), Encoding.UTF8, httpContext.RequestAborted);
    }

    /// <summary>The headers every review response carries.</summary>
    public static void Secure(IHeaderDictionary headers)
    {
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        // same-origin, not no-referrer: under no-referrer Chromium sends "Origin: null" with the
        // page's own forms, which the cross-site check must refuse (sandboxed frames send it too).
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-store";
    }

    private static void Nav(ReviewHtml html, string path, string href, string text)
    {
        html.Raw("<a").Attribute("href", href);
        if (string.Equals(path.TrimEnd('/'), href, StringComparison.Ordinal)
            || (href != "/review" && path.StartsWith(href, StringComparison.Ordinal)))
        {
            html.Raw(" aria-current=\"page\"");
        }

        html.Raw(">").Text(text).Raw("</a>");
    }
}
