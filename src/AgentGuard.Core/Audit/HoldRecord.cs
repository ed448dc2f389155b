using AgentGuard.Holds;

namespace AgentGuard.Audit;

/// <summary>
/// A step in a held call's life, as the audit log records it: <c>held</c>, a reviewer's <c>vote</c>
/// (written by the replica that took it), and the end (<c>approved</c>, <c>denied</c>,
/// <c>timed-out</c>, <c>cancelled</c>, <c>abandoned</c>, <c>unavailable</c>), naming the reviewers.
/// </summary>
/// <param name="Event">What happened (see above).</param>
/// <param name="Call">The held call.</param>
/// <param name="Reviewers">The reviewers who voted, in order.</param>
/// <param name="Reason">A reviewer's note, or why the hold ended.</param>
/// <param name="Time">When it happened.</param>
/// <param name="Verdict">On a <c>vote</c>: <c>approve</c> or <c>deny</c>.</param>
public sealed record HoldRecord(string Event, HeldCall Call, IReadOnlyList<string> Reviewers, string? Reason, DateTimeOffset Time, string? Verdict = null)
{
    public const string Held = "held";
    public const string Vote = "vote";

    /// <summary>The event name of a hold's end.</summary>
    public static string EventOf(HoldOutcome outcome) => outcome switch
    {
        HoldOutcome.Approved => "approved",
        HoldOutcome.Denied => "denied",
        HoldOutcome.TimedOut => "timed-out",
        HoldOutcome.Cancelled => "cancelled",
        HoldOutcome.Abandoned => "abandoned",
        _ => "unavailable",
    };
}
