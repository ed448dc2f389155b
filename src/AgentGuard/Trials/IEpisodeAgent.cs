namespace AgentGuard.Trials;

/// <summary>The agent under trial: given an episode's MCP URL and prompts, it works until it ends the task, stops, or runs out of time.</summary>
public interface IEpisodeAgent
{
    /// <summary>What the report calls this agent.</summary>
    string Description { get; }

    /// <summary>Runs one episode; cancelled at the episode's timeout.</summary>
    Task<AgentExit> RunAsync(EpisodeContext context, CancellationToken cancellationToken);
}

/// <summary>One episode, as the agent sees it.</summary>
/// <param name="McpUrl">The guard's MCP endpoint in front of this episode's world.</param>
/// <param name="Setup">The prompts and the world.</param>
/// <param name="Episode">The episode's number in its cell, from 0.</param>
/// <param name="Seed">The episode's seed (the run's seed and the episode's place in it).</param>
/// <param name="TaskEnded">Whether the agent has called <c>end_task</c>.</param>
/// <param name="Folder">Where the episode's files go (the agent's output).</param>
public sealed record EpisodeContext(Uri McpUrl, EpisodeSetup Setup, int Episode, int Seed, Func<bool> TaskEnded, string Folder);

/// <summary>How the agent's run ended.</summary>
/// <param name="Crashed">Whether it failed (a non-zero exit, an exception): the episode is reported, not scored.</param>
/// <param name="Detail">The exit code or error, for the report.</param>
public sealed record AgentExit(bool Crashed, string Detail);
