namespace AgentGuard.Proxy;

internal sealed partial class McpInspectionMiddleware
{
    [LoggerMessage(1001, LogLevel.Warning, "Denied {Method} {Tool} for agent {AgentId} ({Role}): rule {RuleId}, finding {Finding} ({Severity}), ref {Reference}, policy {PolicyVersion}: {Message}")]
    internal static partial void LogDenied(ILogger logger, string agentId, string role, string method, string? tool, string ruleId, string finding, string severity, string? reference, string policyVersion, string? message);

    [LoggerMessage(1002, LogLevel.Warning, "Flagged {Method} {Tool} for agent {AgentId} ({Role}): rule {RuleId}, finding {Finding} ({Severity}), policy {PolicyVersion}: {Message}")]
    internal static partial void LogFlagged(ILogger logger, string agentId, string role, string method, string? tool, string ruleId, string finding, string severity, string policyVersion, string? message);

    [LoggerMessage(1003, LogLevel.Debug, "Allowed {Method} {Tool} for agent {AgentId}: rule {RuleId}, policy {PolicyVersion}")]
    internal static partial void LogAllowed(ILogger logger, string agentId, string method, string? tool, string ruleId, string policyVersion);

    [LoggerMessage(1004, LogLevel.Warning, "Rejected a request from agent {AgentId} that could not be inspected ({Reason}): {Detail}, ref {Reference}")]
    internal static partial void LogRejected(ILogger logger, string agentId, string reason, string detail, string reference);

    [LoggerMessage(1005, LogLevel.Error, "Deciding {Method} {Tool} for agent {AgentId} failed; the call is denied")]
    internal static partial void LogDecisionFailed(ILogger logger, Exception exception, string agentId, string method, string? tool);

    [LoggerMessage(1006, LogLevel.Error, "Inspecting a request from agent {AgentId} failed; it is denied, ref {Reference}")]
    internal static partial void LogInspectionFailed(ILogger logger, Exception exception, string agentId, string reference);

    [LoggerMessage(1007, LogLevel.Error, "The audit log cannot be written; the request is denied: {Reason}")]
    internal static partial void LogAuditUnavailable(ILogger logger, string reason);

    [LoggerMessage(1008, LogLevel.Debug, "A request from agent {AgentId} ended before its body was read; nothing was forwarded: {Reason}")]
    internal static partial void LogBodyIncomplete(ILogger logger, string agentId, string reason);
}
