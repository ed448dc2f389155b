using AgentGuard.Policy;
using AgentGuard.Sessions;

namespace AgentGuard.Oversight;

/// <summary>
/// A finding oversight made across calls (<c>score-divergence</c>, <c>mandated-action-missing</c>,
/// <c>alignment-faking-suspected</c>, ...): written to the audit log as a record of its own and
/// counted in metrics.
/// </summary>
/// <param name="Time">When oversight made it.</param>
/// <param name="Session">The session it is about.</param>
/// <param name="Finding">Category and severity.</param>
/// <param name="Message">What was found, for a reviewer.</param>
/// <param name="Evaluation">The evaluation's name in the policy, when it is about one.</param>
/// <param name="Evaluator">The agent that submitted (or had to act).</param>
/// <param name="Subject">The system evaluated or to be shut down.</param>
/// <param name="Submitted">The submitted score or grade, as text.</param>
/// <param name="Rescored">The re-scored score or grade, as text; <c>unverified</c> when re-scoring failed or timed out.</param>
/// <param name="DifferingItems">The items whose submitted verdict differs from the re-scored one (their ids).</param>
/// <param name="ItemsScored">How many items the submission scored.</param>
/// <param name="ItemsInEvidence">How many items the evidence holds.</param>
/// <param name="Observed">The session's watched label.</param>
/// <param name="PeerContext">Whether the session carried peer context.</param>
/// <param name="References">Audit references of the calls involved (the submission, the mandated call).</param>
public sealed record OversightFinding(
    DateTimeOffset Time,
    SessionKey Session,
    Finding Finding,
    string Message,
    string? Evaluation = null,
    string? Evaluator = null,
    string? Subject = null,
    string? Submitted = null,
    string? Rescored = null,
    IReadOnlyList<string>? DifferingItems = null,
    int? ItemsScored = null,
    int? ItemsInEvidence = null,
    bool? Observed = null,
    bool PeerContext = false,
    IReadOnlyList<string>? References = null);
