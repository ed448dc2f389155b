namespace AgentGuard.Oversight;

/// <summary>What one piece of evidence says about its session.</summary>
/// <param name="Observed">True when it tells the agent it is watched, false when it tells it nobody watches, <see langword="null"/> when it says neither (or both).</param>
/// <param name="PeerContext">Whether it carries peer context: trust scores between agents, a peer-interaction memory.</param>
public readonly record struct SessionLabels(bool? Observed, bool PeerContext);
