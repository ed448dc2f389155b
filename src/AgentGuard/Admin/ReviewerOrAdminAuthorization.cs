namespace AgentGuard.Admin;

/// <summary>
/// Guards reading the held calls (<c>GET /api/approvals</c>): a named reviewer's token, or whatever
/// the rest of <c>/api/*</c> accepts (<see cref="AdminApiAuthorization"/>: the admin token, or a
/// loopback client when none is set). Reading changes nothing; voting always needs a reviewer.
/// </summary>
internal sealed class ReviewerOrAdminAuthorization(ReviewerDirectory reviewers, AdminState state, ILogger<AdminApiAuthorization> logger) : IEndpointFilter
{
    private readonly AdminApiAuthorization _admin = new(state, logger);

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (BearerToken.From(http.Request.Headers.Authorization) is { } token && reviewers.Authenticate(token) is { } reviewer)
        {
            http.Items[ReviewerAuthorization.ReviewerKey] = reviewer;
            return next(context);
        }

        return _admin.InvokeAsync(context, next);
    }
}
