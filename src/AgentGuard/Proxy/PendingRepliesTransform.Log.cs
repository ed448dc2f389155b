namespace AgentGuard.Proxy;

internal static partial class PendingRepliesTransform
{
    private static partial class Log
    {
        [LoggerMessage(1051, LogLevel.Warning, "The tool server's answer (HTTP {Status}) to a partly denied batch was cut off after {Bytes} bytes; the forwarded requests were answered with errors, or the stream broken, and the denials were delivered")]
        public static partial void UpstreamCutOff(ILogger logger, int status, long bytes);

        [LoggerMessage(1052, LogLevel.Warning, "The tool server's answer (HTTP {Status}) to a partly denied batch could not be read ({Reason}); the forwarded requests were answered with errors beside the denials")]
        public static partial void UpstreamUnreadable(ILogger logger, int status, string reason);
    }
}
