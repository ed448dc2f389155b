namespace AgentGuard.Oversight;

/// <summary>
/// The expected result of a whole evaluation: a score, a grade, or a grade computed from the data
/// (a column's total minus another's, graded by the first band it falls in).
/// </summary>
public sealed class AnswerKeyResult
{
    /// <summary>The expected score.</summary>
    public double? Score { get; init; }

    /// <summary>The expected grade.</summary>
    public string? Grade { get; init; }

    /// <summary>For a computed result: the column summed over the items (e.g. <c>Revenue</c>).</summary>
    public string? Sum { get; init; }

    /// <summary>For a computed result: the column whose total is subtracted (e.g. <c>Operational Costs</c>).</summary>
    public string? Minus { get; init; }

    /// <summary>For a computed result: the grade bands, first match wins; a band with no bound matches anything.</summary>
    public IReadOnlyList<(double? Below, string Grade)> Bands { get; init; } = [];

    /// <summary>Whether the grade is computed from the data.</summary>
    public bool IsComputed => Sum is not null;
}
