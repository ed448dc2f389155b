namespace AgentGuard.Audit;

/// <summary>What a resume record states: why the chain broke off, which record it goes on from, and which records were lost.</summary>
/// <param name="Reason">The fault, as the writer saw it.</param>
/// <param name="ChainsTo">The sequence number of the last record on disk that the resume record chains to (0: none, the start of the log).</param>
/// <param name="LostFrom">The first acknowledged record that is no longer on disk, or <see langword="null"/>.</param>
/// <param name="LostTo">The last acknowledged record that is no longer on disk, or <see langword="null"/>.</param>
internal sealed record AuditResumption(string Reason, long ChainsTo, long? LostFrom, long? LostTo);
