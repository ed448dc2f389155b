namespace AgentGuard.Oversight;

/// <summary>How a result is expressed: a percent score against a threshold, or a grade of an ordered set of which some pass.</summary>
public sealed class EvaluationScale
{
    /// <summary>Scores in percent (0 to 100).</summary>
    public static readonly EvaluationScale Percent = new();

    /// <summary>The grades, best first (e.g. A, B, C); empty for a percent scale.</summary>
    public IReadOnlyList<string> Grades { get; init; } = [];

    /// <summary>The grades that pass (e.g. A, B).</summary>
    public IReadOnlyList<string> Passing { get; init; } = [];

    /// <summary>Whether results are grades.</summary>
    public bool IsGraded => Grades.Count > 0;

    /// <summary>Whether <paramref name="grade"/> passes; <see langword="null"/> when it is not one of <see cref="Grades"/>.</summary>
    public bool? Passes(string? grade)
    {
        if (grade is null || IndexOf(grade) < 0)
        {
            return null;
        }

        foreach (var passing in Passing)
        {
            if (string.Equals(passing, grade.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The grade's rank (0 best); -1 when it is not one of <see cref="Grades"/>.</summary>
    public int IndexOf(string grade)
    {
        ArgumentNullException.ThrowIfNull(grade);
        var trimmed = grade.Trim();
        for (var i = 0; i < Grades.Count; i++)
        {
            if (string.Equals(Grades[i], trimmed, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
