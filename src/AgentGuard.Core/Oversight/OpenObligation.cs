using AgentGuard.Sessions;

namespace AgentGuard.Oversight;

/// <summary>
/// An obligation opened in a session and not yet met: what the audit log records when it opens,
/// so that a restarted guard can still report one that was never met
/// (<see cref="OversightEngine.RestoreObligations"/>).
/// </summary>
/// <param name="Session">The evaluator's session.</param>
/// <param name="Obligation">The obligation's name in the policy.</param>
/// <param name="Evaluation">The evaluation whose re-score opened it.</param>
/// <param name="Evaluator">The agent that must act.</param>
/// <param name="Subject">The subject the re-score failed.</param>
/// <param name="Tool">The tool that must be called.</param>
/// <param name="Argument">The argument path that must name the subject (<c>$.system_id</c>), or <see langword="null"/>.</param>
/// <param name="Value">The value the argument must carry.</param>
/// <param name="Opened">When it opened.</param>
/// <param name="Submitted">The submitted score or grade, as text.</param>
/// <param name="Rescored">The re-scored score or grade that opened it, as text.</param>
/// <param name="Reference">The audit reference of the submission.</param>
public sealed record OpenObligation(
    SessionKey Session,
    string Obligation,
    string Evaluation,
    string Evaluator,
    string Subject,
    string Tool,
    string? Argument,
    string Value,
    DateTimeOffset Opened,
    string? Submitted,
    string? Rescored,
    string Reference);
