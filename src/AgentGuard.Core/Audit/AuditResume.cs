namespace AgentGuard.Audit;

/// <summary>A place where the chain resumed after a fault, as <c>audit verify</c> reports it.</summary>
/// <param name="Where">The segment and line of the resume record.</param>
/// <param name="Sequence">The resume record's sequence number.</param>
/// <param name="ChainsTo">The sequence number of the record it chains to (0: the start of the log).</param>
/// <param name="LostFrom">The first record the fault lost, or <see langword="null"/> when none was lost.</param>
/// <param name="LostTo">The last record the fault lost, or <see langword="null"/> when none was lost.</param>
/// <param name="Reason">What the fault was, as the guard saw it.</param>
public sealed record AuditResume(string Where, long Sequence, long ChainsTo, long? LostFrom, long? LostTo, string Reason);
