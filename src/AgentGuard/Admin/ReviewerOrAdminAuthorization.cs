namespace AgentGuard.Admin;

/// <summary>
/// Guards reading the held calls (<c>GET /api/approvals</c>): a named reviewer's token, or whatever
/// the rest of <c>/api/*</c> accepts (<see cref="AdminApiAuthorization"/>: the admin token, or a
/// loopback client when none is set). Reading changes nothing; voting always needs a reviewer.
/// </summary>
internal sealed class ReviewerOrAdminAuthorization(ReviewerDirectory reviewers, AdminState state, ILogger<AdminApiAuthorization> logger) : IEndpointFilter
{
    private const string BearerPrefix = "Bearer ";

    private readonly AdminApiAuthorization _admin = new(state, logger);

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var authorization = http.Request.Headers.Authorization;
        if (authorization.Count == 1 && authorization[0] is { } value && value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            && reviewers.Authenticate(value.AsSpan(BearerPrefix.Length)) is { } reviewer)
        {
            http.Items[ReviewerAuthorization.ReviewerKey] = reviewer;
            return next(context);
        }

        return _admin.InvokeAsync(context, next);
    }
}
