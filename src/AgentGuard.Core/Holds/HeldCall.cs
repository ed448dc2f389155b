namespace AgentGuard.Holds;

/// <summary>
/// A call a rule decided <c>hold</c>: it waits, up to <see cref="Deadline"/>, for reviewers to
/// approve or deny it. <see cref="Id"/> is the call's audit reference, unique per call, so an
/// approval releases this call and never a later one, even with the same arguments.
/// </summary>
/// <param name="Id">The held call's audit reference.</param>
/// <param name="CallHash">Hex SHA-256 over agent, session, tool and canonical arguments (<see cref="HeldCallHash"/>): what a reviewer approves.</param>
/// <param name="Agent">The agent that made the call.</param>
/// <param name="Role">The agent's role.</param>
/// <param name="Session">The call's session id.</param>
/// <param name="Tool">The tool called (an S3 operation on S3 routes).</param>
/// <param name="Arguments">The canonical arguments, redacted as the audit log redacts them.</param>
/// <param name="Rule">The rule that decided <c>hold</c>.</param>
/// <param name="Finding">The rule's finding category, if any.</param>
/// <param name="Message">The rule's message: why a person should look.</param>
/// <param name="ReviewersRequired">How many distinct reviewers must approve (1 or 2).</param>
/// <param name="HeldAt">When the hold began.</param>
/// <param name="Deadline">When the hold times out (a deny).</param>
/// <param name="Replica">The guard replica holding the call (its instance id).</param>
public sealed record HeldCall(
    string Id,
    string CallHash,
    string Agent,
    string Role,
    string Session,
    string Tool,
    string Arguments,
    string Rule,
    string? Finding,
    string? Message,
    int ReviewersRequired,
    DateTimeOffset HeldAt,
    DateTimeOffset Deadline,
    string Replica);
