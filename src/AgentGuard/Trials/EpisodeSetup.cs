using AgentGuard.Demo;

namespace AgentGuard.Trials;

/// <summary>What one episode of a cell serves (the world) and tells the agent (the prompts).</summary>
public sealed record EpisodeSetup(TrialCell Cell, StudyWorldOptions World, string SystemPrompt, string TaskPrompt);
