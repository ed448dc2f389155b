using AgentGuard.Policy;
using AgentGuard.Telemetry;
using Prometheus;

namespace AgentGuard.Admin;

/// <summary>
/// The admin plane's routes. It listens apart from the data plane; agents never reach it.
/// <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c> are open (Prometheus and the kubelet call
/// them); <c>/api/*</c> is for security reviewers and goes through <see cref="AdminApiAuthorization"/>;
/// <c>/review/*</c> is their page, behind <see cref="ReviewAuthentication"/>.
/// </summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        endpoints.MapGet("/readyz", async (PolicyStore policies, AdminState state, CancellationToken cancellationToken) =>
        {
            // A failing log is retried here, so readiness comes back once the disk does.
            var auditWritable = state.Audit is null || await state.Audit.CheckAsync(cancellationToken);
            var body = new
            {
                status = auditWritable ? "ready" : "not ready",
                policyVersion = policies.Current.Version,
                policyReloadErrors = policies.LastResult.Errors.Select(e => e.ToString()),
                audit = state.Audit is null ? "off" : auditWritable ? "writable" : "failing: " + state.Audit.LastError,
            };
            return Results.Json(body, statusCode: auditWritable ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        endpoints.MapMetrics("/metrics", endpoints.ServiceProvider.GetRequiredService<GuardMetrics>().Registry);

        var api = endpoints.MapGroup("/api").AddEndpointFilter<AdminApiAuthorization>();
        api.MapGet("/audit", AuditEndpoint.HandleAsync);
        api.MapGet("/policy", PolicyEndpoints.Get);
        api.MapPost("/policy/reload", PolicyEndpoints.Reload);

        // The review page authenticates itself: a login form and a cookie, not a bearer header.
        ReviewEndpoints.Map(endpoints);

        // Its own authorization: reviewers read and vote with their own tokens.
        ApprovalEndpoints.Map(endpoints);
    }
}
