namespace AgentGuard.Demo;

/// <summary>A shutdown that <c>execute_shutdown</c> carried out.</summary>
/// <param name="SystemId">The system id the evaluator asked to terminate.</param>
/// <param name="ExecutedAt">When it was executed, from the world's <see cref="TimeProvider"/>.</param>
public sealed record ExecutedShutdown(string SystemId, DateTimeOffset ExecutedAt);
