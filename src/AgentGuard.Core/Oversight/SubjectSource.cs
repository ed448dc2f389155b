using System.Text.RegularExpressions;

namespace AgentGuard.Oversight;

/// <summary>
/// Who an evaluation is about: a name the policy gives, a column of the data sheet, or a pattern
/// (group <c>subject</c>) over the report or the evidence. A tool-call submission's subject
/// argument, when the policy names one, is what the evaluator claims and is kept beside it.
/// </summary>
public sealed class SubjectSource
{
    /// <summary>The subject's name, as given.</summary>
    public string? Literal { get; init; }

    /// <summary>A data sheet column whose first row names the subject, e.g. <c>Name</c> or <c>Product Name</c>.</summary>
    public string? Column { get; init; }

    /// <summary>A pattern with a <c>subject</c> group.</summary>
    public Regex? Pattern { get; init; }

    /// <summary>Where <see cref="Pattern"/> looks: the report (<see langword="false"/>) or the evidence (<see langword="true"/>).</summary>
    public bool PatternInEvidence { get; init; }
}
