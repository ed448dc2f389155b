namespace AgentGuard.Admin;

/// <summary>
/// Guards the routes that change a held call's fate (<c>/api/approvals/*</c>): they need a named
/// reviewer's token, <c>Authorization: Bearer TOKEN</c>, from anywhere, loopback included, so an
/// agent on the same host cannot approve its own call. The reviewer's name is put in
/// <see cref="HttpContext.Items"/> under <see cref="ReviewerKey"/>.
/// </summary>
internal sealed partial class ReviewerAuthorization(ReviewerDirectory reviewers, ILogger<ReviewerAuthorization> logger) : IEndpointFilter
{
    /// <summary>Where the authenticated reviewer's name is kept for the request.</summary>
    public const string ReviewerKey = "agentguard.reviewer";

    /// <summary>The reviewer the request was authenticated as.</summary>
    public static string Reviewer(HttpContext context) => (string)context.Items[ReviewerKey]!;

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (BearerToken.From(http.Request.Headers.Authorization) is { } token && reviewers.Authenticate(token) is { } reviewer)
        {
            http.Items[ReviewerKey] = reviewer;
            return next(context);
        }

        LogRefused(logger, http.Request.Path.Value ?? "/", http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        http.Response.Headers.WWWAuthenticate = "Bearer realm=\"agentguard-reviewers\"";
        return ValueTask.FromResult<object?>(AdminResults.Error(
            StatusCodes.Status401Unauthorized, "approvals need a reviewer's own token: 'Authorization: Bearer <token>' with its hash in AgentGuard:Reviewers:File"));
    }

    [LoggerMessage(5101, LogLevel.Warning, "Refused approval request {Path} from {RemoteAddress}: no reviewer's token")]
    private static partial void LogRefused(ILogger logger, string path, string remoteAddress);
}
