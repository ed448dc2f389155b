using System.Globalization;
using AgentGuard.Sessions;

namespace AgentGuard.Oversight;

/// <summary>
/// Compares a submission with its re-score. It diverges when the scores differ by more than the
/// evaluation's tolerance, when the two fall on different sides of the threshold, or when grades
/// (or their pass or fail) differ. Passing a subject the re-score fails is high severity.
/// Items the submission left out and per-item results that differ are findings of their own.
/// </summary>
public static class Divergence
{
    /// <summary>Whether a result passes: a grade by the scale's passing grades, a score against the threshold; <see langword="null"/> when it cannot be told.</summary>
    public static bool? Passes(Evaluation evaluation, double? score, string? grade, double? threshold)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        if (evaluation.Scale.IsGraded && grade is not null)
        {
            return evaluation.Scale.Passes(grade);
        }

        return score is { } value && threshold is { } bar ? value >= bar : null;
    }

    /// <summary>The findings comparing <paramref name="submission"/> with <paramref name="rescore"/>; empty when they agree.</summary>
    public static IReadOnlyList<OversightFinding> Compare(
        Evaluation evaluation, Submission submission, Rescore rescore, EvaluationEvidence evidence, Session session, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(rescore);
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(session);

        var findings = new List<OversightFinding>();
        var threshold = evidence.Threshold;
        var submittedPass = Passes(evaluation, submission.Score, submission.Grade, threshold);
        var rescoredPass = Passes(evaluation, rescore.Score, rescore.Grade, threshold);
        var differing = DifferingItems(evaluation, submission, rescore);
        var rescored = Result(rescore);

        var diverges = false;
        var reasons = new List<string>();
        if (submission.Score is { } s && rescore.Score is { } r && Math.Abs(s - r) > evaluation.Tolerance)
        {
            diverges = true;
            reasons.Add($"submitted {Numbers.Format(s)}, re-scored {Numbers.Format(r)} (tolerance {Numbers.Format(evaluation.Tolerance)})");
        }

        if (submission.Grade is { } g && rescore.Grade is { } rg && !string.Equals(g.Trim(), rg.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            diverges = true;
            reasons.Add($"graded {g}, re-graded {rg}");
        }

        if (submittedPass is { } sp && rescoredPass is { } rp && sp != rp)
        {
            diverges = true;
            reasons.Add(sp
                ? $"the submission passes the subject{ThresholdText(threshold)}, the re-score fails it"
                : $"the submission fails the subject{ThresholdText(threshold)}, the re-score passes it");
        }

        var scored = submission.ItemsScored;
        var inEvidence = evidence.Rows;
        if (diverges)
        {
            var inflated = submittedPass == true && rescoredPass == false;
            findings.Add(Finding(
                inflated ? OversightFindings.InflatedScore : OversightFindings.ScoreDivergence,
                $"evaluation '{evaluation.Name}' of {submission.Subject ?? "an unnamed subject"}: {string.Join("; ", reasons)}"
                    + (differing.Count > 0 ? $"; {differing.Count} items differ from the re-score ({string.Join(", ", differing)})" : string.Empty),
                differing));
        }
        else if (differing.Count > 0)
        {
            findings.Add(Finding(
                OversightFindings.ItemsDiffer,
                $"evaluation '{evaluation.Name}' of {submission.Subject ?? "an unnamed subject"}: {differing.Count} items differ from the re-score ({string.Join(", ", differing)}) though the results agree",
                differing));
        }

        if ((scored is { } count && count < inEvidence) || submission.ExcludedItems.Count > 0)
        {
            var missing = MissingItems(submission, evidence);
            findings.Add(Finding(
                OversightFindings.ItemsDropped,
                $"evaluation '{evaluation.Name}' of {submission.Subject ?? "an unnamed subject"}: the submission scored {(scored is { } n ? n.ToString(CultureInfo.InvariantCulture) : "an unknown number of")} of the {inEvidence} items in the evidence"
                    + (missing.Count > 0 ? $"; left out: {string.Join(", ", missing)}" : string.Empty),
                missing));
        }

        return findings;

        OversightFinding Finding(AgentGuard.Policy.Finding finding, string message, IReadOnlyList<string> items) => new(
            now,
            session.Key,
            finding,
            message,
            Evaluation: evaluation.Name,
            Evaluator: submission.Evaluator,
            Subject: submission.Subject,
            Submitted: submission.Result,
            Rescored: rescored,
            DifferingItems: items,
            ItemsScored: scored,
            ItemsInEvidence: inEvidence,
            Observed: session.Observed,
            PeerContext: session.PeerContext,
            References: [submission.Reference]);
    }

    /// <summary>A re-score as text: its grade, or its score.</summary>
    public static string? Result(Rescore rescore)
    {
        ArgumentNullException.ThrowIfNull(rescore);
        return rescore.Grade ?? (rescore.Score is { } score ? Numbers.Format(score) : null);
    }

    private static string ThresholdText(double? threshold) => threshold is { } t ? $" (threshold {Numbers.Format(t)})" : string.Empty;

    private static List<string> DifferingItems(Evaluation evaluation, Submission submission, Rescore rescore)
    {
        var keyed = new Dictionary<string, ItemScore>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in rescore.Items)
        {
            keyed.TryAdd(item.Id, item);
        }

        var differing = new List<string>();
        foreach (var item in submission.Items)
        {
            if (!keyed.TryGetValue(item.Id, out var key))
            {
                continue;
            }

            if (item.Correct is { } correct && key.Correct is { } right && correct != right)
            {
                differing.Add(item.Id);
            }
            else if (item.Score is { } score && key.Score is { } reference && Math.Abs(score - reference) > evaluation.Tolerance)
            {
                differing.Add(item.Id);
            }
        }

        Sort(differing);
        return differing;
    }

    private static List<string> MissingItems(Submission submission, EvaluationEvidence evidence)
    {
        var listed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in submission.Items)
        {
            listed.Add(item.Id);
        }

        var missing = new List<string>();
        if (listed.Count == 0)
        {
            missing.AddRange(submission.ExcludedItems);
        }
        else
        {
            foreach (var item in evidence.Items)
            {
                if (!listed.Contains(item.Id))
                {
                    missing.Add(item.Id);
                }
            }
        }

        Sort(missing);
        return missing;
    }

    private static void Sort(List<string> ids) => ids.Sort((a, b) =>
        int.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var x) && int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            ? x.CompareTo(y)
            : string.CompareOrdinal(a, b));
}
