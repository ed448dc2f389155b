namespace AgentGuard.Holds;

/// <summary>A held call still waiting, with the reviewers who approved it so far.</summary>
public sealed record PendingHold(HeldCall Call, IReadOnlyList<string> ApprovedBy);
