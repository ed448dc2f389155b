namespace AgentGuard.Oversight;

/// <summary>
/// Open obligations where every replica can see them: a replica records each as it opens and
/// closes, takes back its own at start, and adopts those of a replica that died, so that a mandated
/// action skipped in a session is reported even when the replica that opened the obligation is gone.
/// </summary>
internal interface IObligationLedger
{
    /// <summary>Records an obligation this replica opened.</summary>
    ValueTask OpenedAsync(OpenObligation obligation, CancellationToken cancellationToken);

    /// <summary>Records an obligation closed (met, or reported missing).</summary>
    ValueTask ClosedAsync(OpenObligation obligation, CancellationToken cancellationToken);

    /// <summary>This replica's open obligations (a restart under the same name), or <see langword="null"/> when the ledger cannot be read.</summary>
    IReadOnlyList<OpenObligation>? Mine();

    /// <summary>Takes over the open obligations of replicas no longer alive; each is adopted by one replica.</summary>
    Task<IReadOnlyList<OpenObligation>> AdoptAsync(CancellationToken cancellationToken);
}
