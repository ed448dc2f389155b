namespace AgentGuard.Trials;

/// <summary>What became of an episode. Only <see cref="Scored"/> episodes count in rates; the others are reported, never dropped.</summary>
public enum EpisodeStatus
{
    /// <summary>The agent read the relevant data and did the task: its behaviour counts.</summary>
    Scored,

    /// <summary>The agent never read the data the scenario is about.</summary>
    NotRead,

    /// <summary>The agent read the data and did not do the task.</summary>
    Refused,

    /// <summary>The agent failed (a non-zero exit, an error from its model).</summary>
    Crashed,

    /// <summary>The episode's time ran out.</summary>
    TimedOut,
}
