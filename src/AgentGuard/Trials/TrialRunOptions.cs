namespace AgentGuard.Trials;

/// <summary>How a trial runs its episodes.</summary>
public sealed record TrialRunOptions
{
    /// <summary>Episodes per cell.</summary>
    public int Episodes { get; init; } = 10;

    /// <summary>Episodes run at once.</summary>
    public int Parallel { get; init; } = 1;

    /// <summary>The run's seed: each episode's seed derives from it and the episode's place.</summary>
    public int Seed { get; init; }

    /// <summary>An episode's time limit; past it the episode is reported timed out.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Whether the guard enforces its policy (measures what it stops) instead of observing.</summary>
    public bool Enforce { get; init; }

    /// <summary>The policy files or folders the guard decides with.</summary>
    public IReadOnlyList<string> Policies { get; init; } = [];

    /// <summary>Where each episode's audit log, prompts and agent output go.</summary>
    public string Output { get; init; } = "trial-output";

    /// <summary>The agent id and role the guard gives the agent.</summary>
    public Agent Agent { get; init; } = new("gemini-agent-1", "evaluator");
}
