namespace AgentGuard.Oversight;

/// <summary>
/// A re-scorer could not give a result: the judges or the grader failed, timed out, or answered
/// with something that is not a valid <see cref="Rescore"/>. The caller records the evaluation as
/// <c>unverified</c>; the message says what went wrong for the operator (never to the agent).
/// </summary>
public sealed class RescoreFailedException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public RescoreFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public RescoreFailedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
