namespace AgentGuard.Policy;

/// <summary>
/// How a rule that decides <c>hold</c> holds a call (its <c>hold:</c> key): how long it waits for
/// reviewers before the hold times out (a deny), and how many distinct reviewers must approve.
/// </summary>
/// <param name="Timeout">The rule's timeout, or <see langword="null"/> for the guard's <c>AgentGuard:Holds:DefaultTimeout</c>.</param>
/// <param name="Reviewers">How many distinct reviewers must approve: 1, or 2 for actions two people should agree on.</param>
public sealed record HoldTerms(TimeSpan? Timeout, int Reviewers)
{
    /// <summary>The shortest hold a rule may ask for.</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest hold a rule may ask for. A held call holds the agent's request open: past a minute
    /// only a client that resets its timer on progress notifications still waits.
    /// </summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The most reviewers a rule may require.</summary>
    public const int MaxReviewers = 2;

    /// <summary>The terms of <c>decision: hold</c> without a <c>hold:</c> key: the default timeout, one reviewer.</summary>
    public static readonly HoldTerms Default = new(null, 1);
}
