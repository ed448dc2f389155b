using AgentGuard.Telemetry;
using Yarp.ReverseProxy.Model;

namespace AgentGuard.Proxy;

/// <summary>
/// In gateway mode, before anything else on an inspected route: a request whose credential names no
/// agent is refused (MCP: 401 with a JSON-RPC error; S3: 403 <c>AccessDenied</c>) and audited, never
/// forwarded; an authenticated one carries its agent (<see cref="AuthenticatedAgent"/>) to the next steps.
/// </summary>
internal sealed partial class AgentAuthenticationMiddleware(
    RequestDelegate next, AgentAuthenticator authenticator, DecisionRecorder recorder, DecisionTelemetry telemetry, ILogger<AgentAuthenticationMiddleware> logger)
{
    /// <summary>The agent id audit records give a request whose credential named none.</summary>
    public const string Unauthenticated = "unauthenticated";

    public Task InvokeAsync(HttpContext context)
    {
        if (!authenticator.Enabled)
        {
            return next(context);
        }

        var mode = RouteInspection.Of(context.GetReverseProxyFeature().Route.Config);
        return mode == RouteInspectionMode.None ? next(context) : AuthenticateAsync(context, mode);
    }

    private async Task AuthenticateAsync(HttpContext context, RouteInspectionMode mode)
    {
        var authentication = await authenticator.AuthenticateAsync(context);
        if (authentication.Agent is { } agent)
        {
            context.Features.Set(new AuthenticatedAgent(agent));
            await next(context);
            return;
        }

        var reference = AuditReference.Create();
        LogRefused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", authentication.Failure!, reference);
        telemetry.Rejected("identity", reference);
        await recorder.RecordRejectionAsync(new Agent(Unauthenticated, Unauthenticated), null, "identity: " + authentication.Failure, reference, context.RequestAborted);
        if (mode == RouteInspectionMode.S3)
        {
            await S3Enforcer.DenyAsync(context, reference);
            return;
        }

        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"agentguard\"";
        await McpEnforcer.RejectAsync(context, StatusCodes.Status401Unauthorized, McpReplies.PermissionDeniedCode, "unauthenticated: " + authentication.Failure, reference);
    }

    [LoggerMessage(1202, LogLevel.Warning, "Refused a request from {RemoteAddress}: {Failure} (ref {Reference})")]
    private static partial void LogRefused(ILogger logger, string remoteAddress, string failure, string reference);
}
