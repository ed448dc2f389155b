namespace AgentGuard.Audit;

/// <summary>The outcome of checking a log: how much was checked and the first bad record, if any.</summary>
/// <param name="Records">Records checked.</param>
/// <param name="Checkpoints">Checkpoints found.</param>
/// <param name="CheckpointsVerified">Checkpoints whose signature was verified with the public key.</param>
/// <param name="Error">The first problem: which segment, line and sequence number, and what is wrong; <see langword="null"/> when the chain is intact.</param>
public sealed record AuditVerification(long Records, int Checkpoints, int CheckpointsVerified, string? Error)
{
    /// <summary>Where the chain resumed after a fault (in chain order); a resume is reported, it does not make the log invalid.</summary>
    public IReadOnlyList<AuditResume> Resumes { get; init; } = [];

    public bool IsValid => Error is null;
}
