namespace AgentGuard.Proxy;

internal sealed partial class S3InspectionMiddleware
{
    [LoggerMessage(1201, LogLevel.Warning, "Rejected an S3 request from agent {AgentId} that could not be inspected ({Reason}): {Detail}, ref {Reference}")]
    private static partial void LogRejected(ILogger logger, string agentId, string reason, string detail, string reference);

    [LoggerMessage(1202, LogLevel.Error, "Inspecting an S3 request from agent {AgentId} failed; it is denied, ref {Reference}")]
    private static partial void LogInspectionFailed(ILogger logger, Exception exception, string agentId, string reference);

    [LoggerMessage(1203, LogLevel.Debug, "An S3 request from agent {AgentId} ended before its body was read; nothing was forwarded: {Reason}")]
    private static partial void LogBodyIncomplete(ILogger logger, string agentId, string reason);
}
