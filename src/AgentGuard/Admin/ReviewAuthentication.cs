using System.Security.Cryptography;
using System.Text;

namespace AgentGuard.Admin;

/// <summary>
/// Who is reading the review page, and whether a form that changes state may be acted on.
/// <list type="bullet">
/// <item>Logging in: a reviewer's own token (from the reviewers file), or the admin token (reads
/// only). The login sets a cookie holding an opaque id (<see cref="ReviewLogins"/>): HttpOnly,
/// SameSite=Strict, Secure when the admin plane serves HTTPS. Over plain HTTP a login is accepted
/// from loopback clients only, since the token and the cookie would cross the network in clear.</item>
/// <item>Reading without a login: from loopback when no admin token is configured, as <c>/api/*</c>;
/// otherwise the reader is sent to the login form.</item>
/// <item>Changing state (a vote, logging out): the login's CSRF token in the form, and the
/// request's <c>Origin</c> and <c>Sec-Fetch-Site</c>, where present, naming this site. Votes need a
/// named reviewer, loopback included, so an agent on the same host cannot approve its own call.</item>
/// </list>
/// </summary>
internal sealed partial class ReviewAuthentication(ReviewLogins logins, AdminState state, ReviewerDirectory reviewers, ILogger<ReviewAuthentication> logger)
{
    /// <summary>The login cookie's name.</summary>
    public const string CookieName = "agentguard_review";

    /// <summary>The form field carrying the CSRF token.</summary>
    public const string CsrfField = "csrf";

    /// <summary>The name shown for a loopback reader without a login.</summary>
    public const string LocalOperator = "local operator";

    /// <summary>
    /// The reader of a page: their login, a read-only local operator (loopback, no admin token
    /// configured; an empty CSRF token, so no form they see changes state), or <see langword="null"/>
    /// when they must log in.
    /// </summary>
    public ReviewLogin? Reader(HttpContext context)
    {
        if (logins.Find(context.Request.Cookies[CookieName]) is { } login)
        {
            return login;
        }

        return state.ApiTokenHash is null && AdminApiAuthorization.IsLoopback(context.Connection.RemoteIpAddress)
            ? new ReviewLogin(LocalOperator, CanVote: false, CsrfToken: string.Empty, DateTimeOffset.MaxValue)
            : null;
    }

    /// <summary>Whether a login may be attempted over this connection: HTTPS, or plain HTTP from loopback.</summary>
    public static bool LoginAllowedOver(HttpContext context)
        => context.Request.IsHttps || AdminApiAuthorization.IsLoopback(context.Connection.RemoteIpAddress);

    /// <summary>Checks a presented token; on success starts a login and sets its cookie.</summary>
    public ReviewLogin? LogIn(HttpContext context, string? token)
    {
        var presented = (token ?? string.Empty).AsSpan().Trim();
        string? name = null;
        var canVote = false;
        if (reviewers.Authenticate(presented) is { } reviewer)
        {
            name = reviewer;
            canVote = true;
        }
        else if (state.ApiTokenHash is { } adminHash && presented.Length > 0 && BearerToken.Matches(adminHash, presented))
        {
            name = "admin";
        }

        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (name is null)
        {
            LogLoginRefused(logger, remote);
            return null;
        }

        var id = logins.Start(name, canVote, out var login);
        context.Response.Cookies.Append(CookieName, id, Cookie(context, login.Expires));
        LogLoggedIn(logger, name, remote);
        return login;
    }

    /// <summary>Ends the request's login and clears its cookie.</summary>
    public void LogOut(HttpContext context)
    {
        logins.End(context.Request.Cookies[CookieName]);
        context.Response.Cookies.Delete(CookieName, Cookie(context, null));
    }

    /// <summary>
    /// Why a state-changing form from <paramref name="login"/> must be refused, or <see langword="null"/>
    /// when it may be acted on: its CSRF token must be the login's, and the browser's own statement of
    /// where the request came from, where it made one, must be this site.
    /// </summary>
    public string? RefuseForm(HttpContext context, ReviewLogin login, IFormCollection form)
    {
        if (login.CsrfToken.Length == 0)
        {
            return "log in first";
        }

        var presented = form[CsrfField];
        if (presented.Count != 1 || !FixedEquals(presented[0] ?? string.Empty, login.CsrfToken))
        {
            return "the form's CSRF token is missing or not this login's; reload the page and try again";
        }

        return RefuseCrossSite(context);
    }

    /// <summary>Why a request looks cross-site by its <c>Origin</c> or <c>Sec-Fetch-Site</c>, or <see langword="null"/>.</summary>
    public static string? RefuseCrossSite(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (headers.Origin.Count > 0)
        {
            var expected = context.Request.Scheme + "://" + context.Request.Host.Value;
            if (!string.Equals(headers.Origin.ToString(), expected, StringComparison.OrdinalIgnoreCase))
            {
                return "the request came from another site (Origin: " + headers.Origin + ")";
            }
        }

        var site = headers["Sec-Fetch-Site"];
        if (site.Count > 0 && site.ToString() is not ("same-origin" or "none"))
        {
            return "the request came from another site (Sec-Fetch-Site: " + site + ")";
        }

        return null;
    }

    private static CookieOptions Cookie(HttpContext context, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/review",
        Expires = expires,
        IsEssential = true,
    };

    private static bool FixedEquals(string presented, string expected)
        => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));

    [LoggerMessage(5201, LogLevel.Information, "Review page login as {Reviewer} from {RemoteAddress}")]
    private static partial void LogLoggedIn(ILogger logger, string reviewer, string remoteAddress);

    [LoggerMessage(5202, LogLevel.Warning, "Refused review page login from {RemoteAddress}: no reviewer's or admin token matched")]
    private static partial void LogLoginRefused(ILogger logger, string remoteAddress);

    [LoggerMessage(5203, LogLevel.Warning, "Refused review form {Path} from {RemoteAddress} as {Reviewer}: {Reason}")]
    public static partial void LogFormRefused(ILogger logger, string path, string remoteAddress, string reviewer, string reason);
}
