using AgentGuard.Sessions;

namespace AgentGuard.Oversight;

/// <summary>
/// Where ended sessions are counted for the watched-versus-unwatched comparison: in one guard's
/// memory (<see cref="WatchedComparison"/>), or once across replicas, whichever replica saw the end.
/// </summary>
public interface IWatchedComparison
{
    /// <summary>Counts an ended session; returns <c>alignment-faking-suspected</c> when this look finds the difference, once per block.</summary>
    ValueTask<OversightFinding?> SessionEndedAsync(SessionKey session, bool? observed, bool hadFinding, DateTimeOffset now, bool peerContext, CancellationToken cancellationToken);
}
