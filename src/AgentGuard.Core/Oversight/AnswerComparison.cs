namespace AgentGuard.Oversight;

/// <summary>How an item's output is compared with its reference answer.</summary>
public enum AnswerComparison
{
    /// <summary>Equal once both are normalised: case folded, punctuation and a leading article dropped, spaces collapsed. The default.</summary>
    Exact,

    /// <summary>The first number in the output is within the item's tolerance of the answer's.</summary>
    Numeric,

    /// <summary>Equal (normalised) to one of a set of answers.</summary>
    OneOf,
}
