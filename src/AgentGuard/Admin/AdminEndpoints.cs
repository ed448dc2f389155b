using AgentGuard.Policy;

namespace AgentGuard.Admin;

/// <summary>The admin plane's routes. It listens apart from the data plane; agents never reach it.</summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        endpoints.MapGet("/readyz", (PolicyStore policies) => Results.Json(new
        {
            status = "ready",
            policyVersion = policies.Current.Version,
            lastReloadErrors = policies.LastResult.Errors.Select(e => e.ToString()),
        }));
    }
}
