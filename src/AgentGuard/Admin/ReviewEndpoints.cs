using System.Globalization;
using AgentGuard.Holds;
using AgentGuard.Policy;

namespace AgentGuard.Admin;

/// <summary>
/// The review page's routes on the admin plane: <c>/review</c> (findings over time),
/// <c>/review/decisions</c> (filters and paging), <c>/review/records/{ref}</c> (one record),
/// <c>/review/holds</c> (held calls, with approve and deny forms), <c>/review/login</c> and
/// <c>/review/logout</c>. Who may read and vote: <see cref="ReviewAuthentication"/>.
/// </summary>
internal static partial class ReviewEndpoints
{
    /// <summary>Rows per page of the decisions table.</summary>
    public const int PageSize = 50;

    /// <summary>The longest note a reviewer may give with a vote (it goes into the audit log).</summary>
    public const int MaxReasonLength = 500;

    private static readonly string[] FilterParameters = ["agent", "session", "tool", "rule", "finding", "severity", "decision", "from", "to", "before", "after"];

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var review = endpoints.MapGroup("/review");
        review.MapGet("/", OverviewAsync);
        review.MapGet("/decisions", Decisions);
        review.MapGet("/records/{reference}", RecordAsync);
        review.MapGet("/holds", Holds);
        review.MapPost("/holds/{id}", VoteAsync);
        review.MapGet("/login", LoginForm);
        review.MapPost("/login", LogInAsync);
        review.MapPost("/logout", LogOutAsync);
    }

    private static async Task<IResult> OverviewAsync(HttpContext context, ReviewAuthentication authentication, ReviewServices services, CancellationToken cancellationToken)
    {
        if (authentication.Reader(context) is not { } reader)
        {
            return ToLogin(context);
        }

        var log = services.Log;
        ReviewChainStatus.Result? chain = null;
        if (log is not null)
        {
            log.Refresh();

            // A new guard has no segment yet: nothing to verify, not a broken chain.
            chain = log.Count == 0 ? null : await services.Chain!.GetAsync(log.Count, cancellationToken);
        }

        return new ReviewPage("Overview", reader, ReviewOverviewPage.Render(log?.Snapshot(), chain, services.Approvals.Pending().Count));
    }

    private static IResult Decisions(HttpContext context, ReviewAuthentication authentication, ReviewServices services)
    {
        if (authentication.Reader(context) is not { } reader)
        {
            return ToLogin(context);
        }

        if (services.Log is not { } log)
        {
            return new ReviewPage("Decisions", reader, AuditOff(), StatusCodes.Status404NotFound);
        }

        var filter = ParseFilter(context.Request.Query, out var before, out var after, out var error);
        if (filter is null)
        {
            return new ReviewPage("Decisions", reader, ReviewDecisionsPage.Render(new ReviewFilter(), context.Request.Query, [], false, false, error), StatusCodes.Status400BadRequest);
        }

        log.Refresh();
        var rows = log.Page(filter, before, after, PageSize);
        var hasNewer = rows.Count > 0 && log.AnyAfter(filter, rows[0].Sequence);
        var hasOlder = rows.Count > 0 && log.AnyBefore(filter, rows[^1].Sequence);
        return new ReviewPage("Decisions", reader, ReviewDecisionsPage.Render(filter, context.Request.Query, rows, hasNewer, hasOlder, null));
    }

    private static async Task<IResult> RecordAsync(string reference, HttpContext context, ReviewAuthentication authentication, ReviewServices services, CancellationToken cancellationToken)
    {
        if (authentication.Reader(context) is not { } reader)
        {
            return ToLogin(context);
        }

        if (services.Log is not { } log)
        {
            return new ReviewPage("Record", reader, AuditOff(), StatusCodes.Status404NotFound);
        }

        log.Refresh();
        if (log.Find(reference) is not { } row)
        {
            var missing = new ReviewHtml().Raw("<h1>No such record</h1><p>No record has the reference <code>").Text(reference).Raw("</code>.</p>");
            return new ReviewPage("Record", reader, missing.ToString(), StatusCodes.Status404NotFound);
        }

        var chain = await services.Chain!.GetAsync(log.Count, cancellationToken);
        return new ReviewPage("Record " + reference, reader, ReviewRecordPage.Render(log, row, chain, services));
    }

    private static IResult Holds(HttpContext context, ReviewAuthentication authentication, ReviewServices services)
    {
        if (authentication.Reader(context) is not { } reader)
        {
            return ToLogin(context);
        }

        var voted = context.Request.Query["voted"].ToString();
        return new ReviewPage("Held calls", reader, ReviewHoldsPage.Render(services.Approvals.Pending(), reader, voted, context.Request.Query["id"].ToString()));
    }

    private static async Task<IResult> VoteAsync(string id, HttpContext context, ReviewAuthentication authentication, ReviewServices services, ILogger<ReviewAuthentication> logger, CancellationToken cancellationToken)
    {
        var reader = authentication.Reader(context);
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(cancellationToken) : FormCollection.Empty;
        var refusal = reader is null ? "log in first"
            : !reader.CanVote ? "only a named reviewer can vote: log in with your own reviewer token"
            : authentication.RefuseForm(context, reader, form);
        if (refusal is not null)
        {
            ReviewAuthentication.LogFormRefused(logger, context.Request.Path.Value ?? "/", context.Connection.RemoteIpAddress?.ToString() ?? "unknown", reader?.Name ?? "nobody", refusal);
            var body = new ReviewHtml().Raw("<h1>Vote refused</h1><div class=\"notice bad\">").Text(refusal).Raw("</div><p>").Link("/review/holds", "Back to the held calls").Raw("</p>");
            return new ReviewPage("Vote refused", reader, body.ToString(), reader is null ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden);
        }

        var verdict = form["verdict"].ToString();
        var callHash = form["call_hash"].ToString();
        if (verdict is not ("approve" or "deny") || callHash.Length == 0)
        {
            var body = new ReviewHtml().Raw("<h1>Vote refused</h1><div class=\"notice bad\">A vote needs verdict approve or deny, and the call's hash.</div>");
            return new ReviewPage("Vote refused", reader, body.ToString(), StatusCodes.Status400BadRequest);
        }

        var reason = form["reason"].ToString().Trim();
        if (reason.Length > MaxReasonLength)
        {
            var body = new ReviewHtml().Raw("<h1>Vote refused</h1><div class=\"notice bad\">The note is ").Number(reason.Length)
                .Raw(" characters long; keep it to ").Number(MaxReasonLength).Raw(". Nothing was voted.</div>");
            return new ReviewPage("Vote refused", reader, body.ToString(), StatusCodes.Status400BadRequest);
        }

        var result = await services.Approvals.VoteAsync(reader!.Name, id, callHash, verdict == "approve", reason.Length == 0 ? null : reason, cancellationToken);

        // Post, redirect, get: reloading the result page does not vote again.
        return new SeeOther("/review/holds" + ReviewHtml.Query(("voted", result.ToString()), ("id", id)));
    }

    private static IResult LoginForm(HttpContext context, ReviewAuthentication authentication)
        => new ReviewPage("Log in", null, ReviewLoginPage.Render(SafeReturn(context.Request.Query["return"]), null, ReviewAuthentication.LoginAllowedOver(context)));

    private static async Task<IResult> LogInAsync(HttpContext context, ReviewAuthentication authentication, CancellationToken cancellationToken)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(cancellationToken) : FormCollection.Empty;
        var returnTo = SafeReturn(form["return"]);
        if (!ReviewAuthentication.LoginAllowedOver(context))
        {
            return new ReviewPage("Log in", null, ReviewLoginPage.Render(returnTo, null, false), StatusCodes.Status403Forbidden);
        }

        if (ReviewAuthentication.RefuseCrossSite(context) is { } crossSite)
        {
            return new ReviewPage("Log in", null, ReviewLoginPage.Render(returnTo, crossSite, true), StatusCodes.Status403Forbidden);
        }

        if (authentication.LogIn(context, form["token"]) is null)
        {
            return new ReviewPage("Log in", null, ReviewLoginPage.Render(returnTo, "That token is not a reviewer's or the admin token.", true), StatusCodes.Status401Unauthorized);
        }

        return new SeeOther(returnTo);
    }

    private static async Task<IResult> LogOutAsync(HttpContext context, ReviewAuthentication authentication, CancellationToken cancellationToken)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(cancellationToken) : FormCollection.Empty;
        if (authentication.Reader(context) is { } reader && authentication.RefuseForm(context, reader, form) is { } refusal)
        {
            return new ReviewPage("Log out", reader, new ReviewHtml().Raw("<div class=\"notice bad\">").Text(refusal).Raw("</div>").ToString(), StatusCodes.Status403Forbidden);
        }

        authentication.LogOut(context);
        return new SeeOther("/review/login");
    }

    /// <summary>The table's filter from the query, or <see langword="null"/> with the reason; a misspelt or invalid filter is an error, never a wider query.</summary>
    internal static ReviewFilter? ParseFilter(IQueryCollection query, out long? before, out long? after, out string? error)
    {
        before = after = null;
        error = null;
        foreach (var (key, values) in query)
        {
            if (Array.IndexOf(FilterParameters, key) < 0)
            {
                error = $"unknown filter '{key}'; use {string.Join(", ", FilterParameters)}";
                return null;
            }

            if (values.Count != 1)
            {
                error = $"give '{key}' once";
                return null;
            }
        }

        Severity? severity = null;
        if (Value(query, "severity") is { } severityText)
        {
            if (!Enum.TryParse<Severity>(severityText, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(severityText, out _))
            {
                error = $"severity '{severityText}' is unknown; use info, low, medium, high or critical";
                return null;
            }

            severity = parsed;
        }

        DateTimeOffset? from = null, to = null;
        if (Value(query, "from") is { } fromText && (from = Time(fromText)) is null)
        {
            error = $"from '{fromText}' is not a time; use e.g. 2026-12-05T10:00 (UTC)";
            return null;
        }

        if (Value(query, "to") is { } toText && (to = Time(toText)) is null)
        {
            error = $"to '{toText}' is not a time; use e.g. 2026-12-05T11:00 (UTC)";
            return null;
        }

        if (!Sequence(query, "before", out before, out error) || !Sequence(query, "after", out after, out error))
        {
            return null;
        }

        return new ReviewFilter
        {
            Agent = Value(query, "agent"),
            Session = Value(query, "session"),
            Tool = Value(query, "tool"),
            Rule = Value(query, "rule"),
            Finding = Value(query, "finding"),
            Severity = severity,
            Decision = Value(query, "decision"),
            From = from,
            To = to,
        };
    }

    private static bool Sequence(IQueryCollection query, string name, out long? sequence, out string? error)
    {
        sequence = null;
        error = null;
        if (Value(query, name) is not { } text)
        {
            return true;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            error = $"{name} '{text}' is not a sequence number";
            return false;
        }

        sequence = value;
        return true;
    }

    /// <summary>Where to go after logging in: a review path, never another site (<c>//evil</c>).</summary>
    internal static string SafeReturn(string? returnTo)
        => returnTo is { Length: > 0 } path && path.StartsWith("/review", StringComparison.Ordinal) && !path.Contains("//", StringComparison.Ordinal) && !path.Contains('\\', StringComparison.Ordinal)
            ? path
            : "/review";

    private static IResult ToLogin(HttpContext context)
        => new SeeOther("/review/login" + ReviewHtml.Query(("return", context.Request.Path + context.Request.QueryString)));

    private static string AuditOff()
        => "<h1>The audit log is off</h1><p>Start the guard with <code>--audit-dir DIR</code> (AgentGuard:Audit:Directory) to review its decisions.</p>";

    private static string? Value(IQueryCollection query, string key)
        => query.TryGetValue(key, out var values) && !string.IsNullOrWhiteSpace(values[0]) ? values[0]!.Trim() : null;

    private static DateTimeOffset? Time(string text)
        => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null;

    /// <summary>303 See Other: after a form, the browser fetches the next page with GET.</summary>
    private sealed class SeeOther(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            ReviewPage.Secure(httpContext.Response.Headers);
            return Task.CompletedTask;
        }
    }
}
