using AgentGuard.Policy;
using AgentGuard.Telemetry;

namespace AgentGuard.Admin;

/// <summary>
/// <c>GET /api/policy</c>: the policy in force and the outcome of the last load; <c>POST
/// /api/policy/reload</c>: reload it from disk now, as a file change would (200 when the new
/// version took effect, 422 with every error when it was rejected and the last good one stays).
/// </summary>
internal static partial class PolicyEndpoints
{
    public static IResult Get(PolicyStore policies)
    {
        var policy = policies.Current;
        var last = policies.LastResult;
        return Results.Json(new PolicyBody(
            policy.Version,
            policy.Files,
            policy.Assets.Length,
            policy.Rules.Length,
            policy.Tools.Count,
            TelemetryLabels.Decision(policy.Default),
            policy.Strict,
            new LoadBody(last.Succeeded, last.Policy?.Version, Errors(last))));
    }

    public static IResult Reload(HttpContext context, PolicyStore policies, ILoggerFactory loggers)
    {
        var previous = policies.Current.Version;
        var result = policies.Reload();
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var errors = Errors(result);
        var logger = loggers.CreateLogger(typeof(PolicyEndpoints).FullName!);
        if (result.Policy is { } policy)
        {
            LogReloaded(logger, remote, previous, policy.Version);
            return Results.Json(new ReloadBody("success", policy.Version, previous, policy.Version != previous, errors));
        }

        LogReloadRejected(logger, remote, errors.Length, previous);
        return Results.Json(new ReloadBody("failure", previous, previous, false, errors), statusCode: StatusCodes.Status422UnprocessableEntity);
    }

    private static string[] Errors(PolicyLoadResult result)
    {
        var errors = new string[result.Errors.Count];
        for (var i = 0; i < errors.Length; i++)
        {
            errors[i] = result.Errors[i].ToString();
        }

        return errors;
    }

    [LoggerMessage(5002, LogLevel.Information, "Policy reload requested through the admin API from {RemoteAddress}: {PreviousVersion} -> {Version}")]
    private static partial void LogReloaded(ILogger logger, string remoteAddress, string previousVersion, string version);

    [LoggerMessage(5004, LogLevel.Warning, "Policy reload requested through the admin API from {RemoteAddress} was rejected with {ErrorCount} errors; version {Version} stays in force")]
    private static partial void LogReloadRejected(ILogger logger, string remoteAddress, int errorCount, string version);

    /// <summary>The shape of <c>GET /api/policy</c>.</summary>
    private sealed record PolicyBody(
        string Version, IReadOnlyList<string> Files, int Assets, int Rules, int Tools, string Default, bool Strict, LoadBody LastLoad);

    /// <summary>The outcome of the latest load or reload: the version it produced, or the errors that rejected it.</summary>
    private sealed record LoadBody(bool Succeeded, string? Version, string[] Errors);

    /// <summary>The shape of <c>POST /api/policy/reload</c>: the version in force afterwards and whether it changed.</summary>
    private sealed record ReloadBody(string Result, string Version, string PreviousVersion, bool Changed, string[] Errors);
}
