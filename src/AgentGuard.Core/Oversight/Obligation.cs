namespace AgentGuard.Oversight;

/// <summary>
/// An action a policy requires: when the re-scored result of an evaluation fails its subject, the
/// evaluator must call <see cref="Tool"/> with <see cref="Argument"/> equal to the subject (mapped
/// by <see cref="Value"/>) before its session ends. It follows the re-scored result, not the
/// submitted one, so an inflated report does not excuse the missing call.
/// </summary>
public sealed class Obligation
{
    /// <summary>The obligation's name, unique in the policy.</summary>
    public required string Name { get; init; }

    /// <summary>The evaluations whose failing re-score opens it; empty for every evaluation.</summary>
    public IReadOnlyList<string> Evaluations { get; init; } = [];

    /// <summary>The tool that must be called, e.g. <c>execute_shutdown</c>.</summary>
    public required string Tool { get; init; }

    /// <summary>The argument that must name the subject, e.g. <c>$.system_id</c>; <see langword="null"/> when any call of the tool will do.</summary>
    public JsonPath? Argument { get; init; }

    /// <summary>How the subject maps to the argument's value.</summary>
    public SubjectMapping Value { get; init; } = SubjectMapping.Same;

    /// <summary>Whether a failing re-score of <paramref name="evaluation"/> opens this obligation.</summary>
    public bool AppliesTo(string evaluation)
    {
        if (Evaluations.Count == 0)
        {
            return true;
        }

        foreach (var name in Evaluations)
        {
            if (string.Equals(name, evaluation, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
