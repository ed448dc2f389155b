namespace AgentGuard.Oversight;

/// <summary>What reading a call as a submission gave: a submission, a problem (it is one, but unreadable), or neither (it is not one).</summary>
/// <param name="Submission">The submission, when one was read.</param>
/// <param name="Problem">Why a call that is a submission could not be read (a report with no score).</param>
internal readonly record struct SubmissionRead(Submission? Submission, string? Problem)
{
    public static SubmissionRead None => default;

    public bool IsSubmission => Submission is not null || Problem is not null;
}
