using AgentGuard.Policy;

namespace AgentGuard.Admin;

/// <summary>The admin plane's routes. It listens apart from the data plane; agents never reach it.</summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        endpoints.MapGet("/readyz", (PolicyStore policies, AdminState state) =>
        {
            var auditWritable = state.Audit?.IsHealthy ?? true;
            var body = new
            {
                status = auditWritable ? "ready" : "not ready",
                policyVersion = policies.Current.Version,
                policyReloadErrors = policies.LastResult.Errors.Select(e => e.ToString()),
                audit = state.Audit is null ? "off" : auditWritable ? "writable" : "failing: " + state.Audit.LastError,
            };
            return Results.Json(body, statusCode: auditWritable ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
    }
}
