namespace AgentGuard.Sessions;

/// <summary>
/// The bytes of evidence a guard holds, live sessions and ended ones together, against one cap.
/// Each session's caps bound a session, not the many sessions a busy guard holds; past this cap
/// the store drops the oldest evidence (see <see cref="InMemorySessionStore"/>), so memory stays
/// bounded however many short sessions agents run.
/// </summary>
public sealed class EvidenceBudget
{
    private readonly Action _overdrawn;
    private long _used;

    /// <summary>A budget of <paramref name="capacity"/> bytes; <paramref name="overdrawn"/> is told (on the charging thread) when a charge takes it past the cap.</summary>
    public EvidenceBudget(long capacity, Action overdrawn)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentNullException.ThrowIfNull(overdrawn);
        Capacity = capacity;
        _overdrawn = overdrawn;
    }

    /// <summary>The cap, in bytes.</summary>
    public long Capacity { get; }

    /// <summary>The bytes held now.</summary>
    public long Used => Interlocked.Read(ref _used);

    /// <summary>
    /// The bytes <paramref name="evidence"/> holds in memory: its strings (two bytes a character) and
    /// the objects around them. An estimate, but one that grows with everything an agent controls.
    /// </summary>
    public static long SizeOf(Evidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        const int Objects = 160;
        long chars = evidence.Content.Length + evidence.Arguments.Length + evidence.Reference.Length
            + (evidence.Tool?.Length ?? 0) + (evidence.Resource?.Length ?? 0);
        return Objects + 2 * chars;
    }

    /// <summary>Counts <paramref name="bytes"/> more held.</summary>
    public void Charge(long bytes)
    {
        if (Interlocked.Add(ref _used, bytes) > Capacity)
        {
            _overdrawn();
        }
    }

    /// <summary>Counts <paramref name="bytes"/> no longer held.</summary>
    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);
}
