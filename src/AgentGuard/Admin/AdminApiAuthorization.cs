using System.Net;

namespace AgentGuard.Admin;

/// <summary>
/// Guards the admin plane's <c>/api/*</c> routes, which show what agents did and can reload the
/// policy. With <c>AgentGuard:AdminApiToken</c> set they need <c>Authorization: Bearer TOKEN</c>
/// (401 without it, from anywhere); without one they answer loopback clients only (403 for
/// others), so an admin plane bound to 0.0.0.0 for Prometheus does not publish the audit log.
/// </summary>
internal sealed partial class AdminApiAuthorization(AdminState state, ILogger<AdminApiAuthorization> logger) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var remote = http.Connection.RemoteIpAddress;
        if (state.ApiTokenHash is { } expected)
        {
            if (Matches(expected, http.Request.Headers.Authorization))
            {
                return next(context);
            }

            LogRefused(logger, http.Request.Path.Value ?? "/", remote?.ToString() ?? "unknown", "no valid bearer token");
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"agentguard-admin\"";
            return ValueTask.FromResult<object?>(AdminResults.Error(
                StatusCodes.Status401Unauthorized, "this route needs 'Authorization: Bearer <token>' with the token in AgentGuard:AdminApiToken"));
        }

        if (IsLoopback(remote))
        {
            return next(context);
        }

        LogRefused(logger, http.Request.Path.Value ?? "/", remote?.ToString() ?? "unknown", "not a loopback client and no API token is configured");
        return ValueTask.FromResult<object?>(AdminResults.Error(
            StatusCodes.Status403Forbidden, "without AgentGuard:AdminApiToken the admin API answers loopback clients only; set a token to reach it remotely"));
    }

    /// <summary>Whether <paramref name="authorization"/> is exactly one bearer credential whose hash is <paramref name="expected"/>, compared in constant time.</summary>
    internal static bool Matches(byte[] expected, Microsoft.Extensions.Primitives.StringValues authorization)
        => BearerToken.From(authorization) is { } presented && BearerToken.Matches(expected, presented);

    /// <summary>
    /// Reports settings under <c>AgentGuard:Admin:*</c>. <c>AgentGuard:Admin</c> is the admin URL, a
    /// string, so such keys (say <c>AgentGuard__Admin__ApiToken</c>) would be ignored without a word,
    /// leaving the API without the token its operator meant it to have.
    /// </summary>
    public static void CheckConfiguration(IConfiguration configuration, List<string> errors)
    {
        foreach (var child in configuration.GetSection("AgentGuard:Admin").GetChildren())
        {
            errors.Add(child.Key.Equals("ApiToken", StringComparison.OrdinalIgnoreCase)
                ? "AgentGuard:Admin:ApiToken is not read: AgentGuard:Admin is the admin-plane URL; give the token as AgentGuard:AdminApiToken (environment: AgentGuard__AdminApiToken)."
                : $"AgentGuard:Admin:{child.Key} is not read: AgentGuard:Admin is the admin-plane URL (e.g. http://127.0.0.1:9091), not a section.");
        }
    }

    internal static bool IsLoopback(IPAddress? address)
        => address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    [LoggerMessage(5001, LogLevel.Warning, "Refused admin API request {Path} from {RemoteAddress}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string path, string remoteAddress, string reason);
}
