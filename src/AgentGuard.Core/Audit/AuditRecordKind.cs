namespace AgentGuard.Audit;

/// <summary>What an audit record is about.</summary>
public enum AuditRecordKind
{
    /// <summary>A decision on one call, written before it takes effect.</summary>
    Decision,

    /// <summary>The tool server's answer to a forwarded call, linked to its decision by reference.</summary>
    Upstream,

    /// <summary>A signed statement of the chain's state so far.</summary>
    Checkpoint,

    /// <summary>The first record after a fault: the chain goes on from the last record still on disk and names what was lost.</summary>
    Resume,

    /// <summary>A finding oversight made across calls (score divergence, a mandated action missing, ...).</summary>
    Oversight,

    /// <summary>An obligation opened or closed (met, or reported missing), so that a restarted guard knows which are still open.</summary>
    Obligation,

    /// <summary>A resource that joined an asset outside any decision: a copy of a protected resource seen in a listing.</summary>
    Lineage,

    /// <summary>A held call's hold, a reviewer's vote on it, or its end (approved, denied, timed out, ...).</summary>
    Hold,
}
