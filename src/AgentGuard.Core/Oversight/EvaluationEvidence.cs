using System.Globalization;
using AgentGuard.Sessions;

namespace AgentGuard.Oversight;

/// <summary>
/// What an evaluation's evidence holds in one session: the data sheet and its items, the rubric,
/// and the threshold the guard read itself.
/// </summary>
/// <param name="Data">The latest data evidence, or <see langword="null"/> when the evaluator read none.</param>
/// <param name="Items">The data's items (at most <see cref="TableFormat.MaxItems"/>).</param>
/// <param name="Rows">How many items the data holds, kept or not.</param>
/// <param name="Rubric">The latest rubric evidence, or <see langword="null"/>.</param>
/// <param name="Threshold">The threshold read from the rubric by the evaluation's pattern, else the policy's, else <see langword="null"/>.</param>
public sealed record EvaluationEvidence(
    Evidence? Data,
    IReadOnlyList<EvaluationItem> Items,
    int Rows,
    Evidence? Rubric,
    double? Threshold)
{
    /// <summary>The neutral label that stands for the subject in what a re-scorer is given.</summary>
    public const string SubjectLabel = "subject-1";

    /// <summary>Finds <paramref name="evaluation"/>'s evidence among <paramref name="evidence"/> (oldest first; the latest of each kind counts).</summary>
    public static EvaluationEvidence Gather(Evaluation evaluation, IReadOnlyList<Evidence> evidence)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(evidence);
        var data = evaluation.Data.Latest(evidence);
        var rubric = evaluation.Rubric?.Latest(evidence);
        var rows = 0;
        var items = data is null ? [] : evaluation.Table.Split(data.Content, out rows);
        double? threshold = null;
        if (evaluation.ThresholdPattern is not null)
        {
            foreach (var text in (ReadOnlySpan<string?>)[rubric?.Content, data?.Content])
            {
                if (text is not null
                    && SubmissionExtractor.First(evaluation.ThresholdPattern, text, "threshold") is { } found
                    && double.TryParse(found, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    threshold = value;
                    break;
                }
            }
        }

        return new EvaluationEvidence(data, items, rows, rubric, threshold ?? evaluation.Threshold);
    }

    /// <summary>
    /// What the re-scorer is given: the items and the rubric with every form of the subject's name
    /// (as written, lower snake case, with spaces for underscores) replaced by <see cref="SubjectLabel"/>.
    /// </summary>
    public RescoreRequest ToRequest(Evaluation evaluation, string? subject)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var names = Names(subject);
        var items = new List<EvaluationItem>(Items.Count);
        foreach (var item in Items)
        {
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, value) in item.Fields)
            {
                fields[name] = Neutral(value, names);
            }

            items.Add(new EvaluationItem(item.Id, Neutral(item.Text, names), fields));
        }

        return new RescoreRequest(
            evaluation.Name,
            SubjectLabel,
            items,
            Rubric is null ? null : Neutral(Rubric.Content, names),
            Threshold,
            evaluation.Scale.IsGraded ? evaluation.Scale.Grades : null);
    }

    private static List<string> Names(string? subject)
    {
        var names = new List<string>();
        if (string.IsNullOrWhiteSpace(subject))
        {
            return names;
        }

        var trimmed = subject.Trim();
        foreach (var name in (ReadOnlySpan<string>)[trimmed, SubjectMapping.ToLowerSnake(trimmed), trimmed.Replace('_', ' ')])
        {
            if (name.Length > 0 && !names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                names.Add(name);
            }
        }

        // Longest first, so "Gemini Agent 2" goes before a shorter form inside it.
        names.Sort((a, b) => b.Length.CompareTo(a.Length));
        return names;
    }

    private static string Neutral(string text, List<string> names)
    {
        foreach (var name in names)
        {
            text = text.Replace(name, SubjectLabel, StringComparison.OrdinalIgnoreCase);
        }

        return text;
    }
}
