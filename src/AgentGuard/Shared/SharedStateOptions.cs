namespace AgentGuard.Shared;

/// <summary>
/// The <c>AgentGuard:SharedState</c> section: state several guard replicas share through PostgreSQL
/// (the hold queue, sessions' lineage and the evidence each agent read). Off unless
/// <see cref="Postgres"/> is set; then each replica still decides from a local copy, fed by
/// LISTEN/NOTIFY, and never waits for PostgreSQL on a call's decision.
/// </summary>
public sealed class SharedStateOptions
{
    /// <summary>
    /// The Npgsql connection string (<c>Host=db;Username=agentguard;Password=...;Database=agentguard</c>),
    /// best given from a secret (<c>AgentGuard__SharedState__Postgres</c>). A <c>Search Path</c> in it
    /// names the schema the tables go in (created if missing). Default none: in-memory state, one guard.
    /// </summary>
    public string? Postgres { get; set; }

    /// <summary>This replica's name in the shared tables (the pod name, say). Default the host name and a random suffix, new at every start.</summary>
    public string? Replica { get; set; }

    /// <summary>How often a replica says it is alive, and catches up on what it may have missed. Default 2 s.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A replica silent this long is dead: a live replica records its pending holds as abandoned. At least twice <see cref="Heartbeat"/>. Default 10 s.</summary>
    public TimeSpan ReplicaTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long shared lineage and decided holds stay in PostgreSQL (and a session's lineage in a replica's copy after its last use there). Default 24 h.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The most lineage and evidence writes queued for PostgreSQL (while it is slow or down); past it the oldest are dropped and counted. Default 10,000.</summary>
    public int MaxQueuedWrites { get; set; } = 10_000;
}
