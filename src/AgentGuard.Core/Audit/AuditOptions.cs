namespace AgentGuard.Audit;

/// <summary>The <c>AgentGuard:Audit</c> section: where and how decisions are recorded.</summary>
public sealed class AuditOptions
{
    /// <summary>The folder the log's segment files go in. No default: without it the audit log is off.</summary>
    public string? Directory { get; set; }

    /// <summary>When a record counts as written. Default <see cref="AuditDurability.Fsync"/>.</summary>
    public AuditDurability Durability { get; set; } = AuditDurability.Fsync;

    /// <summary>The size at which a segment file is closed and the next begun. Default 64 MiB; range 64 KiB to 4 GiB.</summary>
    public long MaxSegmentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How often a signed checkpoint is written (when a signing key is set and records were added). Default 1 minute; range 1 second to 1 day.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A PEM file holding the ECDSA P-256 private key checkpoints are signed with (<c>agentguard audit keygen</c> writes one). Optional.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>Argument names (any case, any depth) whose values are replaced by <c>[redacted]</c> in records.</summary>
    public List<string> Redact { get; set; } = ["password", "passwd", "secret", "token", "api_key", "apikey", "authorization", "private_key", "credentials"];
}

/// <summary>When an appended record counts as written.</summary>
public enum AuditDurability
{
    /// <summary>On disk (fsync), with concurrent records sharing one flush (group commit).</summary>
    Fsync,

    /// <summary>Handed to the operating system (survives a guard crash, not a machine crash).</summary>
    Flush,
}
