namespace AgentGuard.Audit;

/// <summary>A record could not be made durable; the decision it records must not take effect.</summary>
public sealed class AuditWriteException(string message, Exception? inner = null) : Exception(message, inner);
