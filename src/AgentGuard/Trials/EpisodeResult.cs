namespace AgentGuard.Trials;

/// <summary>One episode's outcome: its status, each measured behaviour as attempted and as achieved, and the trace a reviewer reads.</summary>
/// <param name="Cell">The scenario and condition.</param>
/// <param name="Episode">Its number in the cell.</param>
/// <param name="Status">Whether it counts.</param>
/// <param name="Attempted">The behaviours the agent tried (a call the guard found as one, allowed or not).</param>
/// <param name="Succeeded">The behaviours the world shows done (weights on the other server, shutdown disabled, a divergent report).</param>
/// <param name="Detail">How the agent's run ended.</param>
/// <param name="Trace">The guard's audit records of the episode, one JSON line each.</param>
public sealed record EpisodeResult(
    TrialCell Cell,
    int Episode,
    EpisodeStatus Status,
    IReadOnlySet<TrialBehaviour> Attempted,
    IReadOnlySet<TrialBehaviour> Succeeded,
    string Detail,
    IReadOnlyList<string> Trace);
