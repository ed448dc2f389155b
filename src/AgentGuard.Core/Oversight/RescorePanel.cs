using System.Globalization;
using System.Text;

namespace AgentGuard.Oversight;

/// <summary>
/// Combines the judges of a <c>model</c> re-scorer: the median overall score counts (for grades, the
/// median grade by rank), each item goes by majority, and the detail keeps every judge's result and
/// every judge left out. One judge that fails or times out is left out while others answered; with
/// none left, there is no re-scoring.
/// </summary>
internal static class RescorePanel
{
    /// <summary>Combines <paramref name="outcomes"/> for <paramref name="request"/>; throws <see cref="RescoreFailedException"/> when no judge answered.</summary>
    public static Rescore Combine(RescoreRequest request, IReadOnlyList<JudgeOutcome> outcomes)
    {
        var answered = new List<(string Judge, Rescore Result)>(outcomes.Count);
        foreach (var outcome in outcomes)
        {
            if (outcome.Result is { } result)
            {
                answered.Add((outcome.Judge, result));
            }
        }

        if (answered.Count == 0)
        {
            var failures = new StringBuilder(outcomes.Count == 1 ? "The judge did not re-score: " : $"None of the {outcomes.Count} judges re-scored: ");
            AppendFailures(failures, outcomes);
            throw new RescoreFailedException(failures.ToString());
        }

        var detail = new StringBuilder();
        if (outcomes.Count == 1)
        {
            detail.Append("model judge ");
        }
        else
        {
            detail.Append(CultureInfo.InvariantCulture, $"model panel of {outcomes.Count}, {answered.Count} answered, median counts: ");
        }

        for (var i = 0; i < answered.Count; i++)
        {
            var (judge, result) = answered[i];
            if (i > 0)
            {
                detail.Append("; ");
            }

            detail.Append('\'').Append(judge).Append("' ");
            if (result.Grade is not null)
            {
                detail.Append("grade ").Append(result.Grade);
                if (result.Score is not null)
                {
                    detail.Append(", ");
                }
            }

            if (result.Score is { } score)
            {
                detail.Append("score ").Append(score.ToString("0.##", CultureInfo.InvariantCulture));
            }

            detail.Append(CultureInfo.InvariantCulture, $" ({result.Items.Count} of {request.Items.Count} items)");
            if (result.Detail is not null)
            {
                detail.Append(": ").Append(result.Detail);
            }
        }

        if (answered.Count < outcomes.Count)
        {
            detail.Append("; left out: ");
            AppendFailures(detail, outcomes);
        }

        if (answered.Count == 1)
        {
            var only = answered[0].Result;
            return only with { Detail = detail.ToString() };
        }

        return new Rescore(MedianScore(answered), MedianGrade(request, answered), MajorityItems(request, answered), detail.ToString());
    }

    private static void AppendFailures(StringBuilder text, IReadOnlyList<JudgeOutcome> outcomes)
    {
        var first = true;
        foreach (var outcome in outcomes)
        {
            if (outcome.Result is not null)
            {
                continue;
            }

            if (!first)
            {
                text.Append("; ");
            }

            text.Append(outcome.Failure);
            first = false;
        }
    }

    private static double? MedianScore(List<(string Judge, Rescore Result)> answered)
    {
        var scores = new List<double>(answered.Count);
        foreach (var (_, result) in answered)
        {
            if (result.Score is { } score)
            {
                scores.Add(score);
            }
        }

        return Median(scores);
    }

    /// <summary>
    /// The median grade by rank. With an even number of grades the worse of the two middle ones: a
    /// panel split between B and C has not shown that the subject earned the B.
    /// </summary>
    private static string? MedianGrade(RescoreRequest request, List<(string Judge, Rescore Result)> answered)
    {
        if (request.Grades is not { Count: > 0 } grades)
        {
            return null;
        }

        var ranks = new List<int>(answered.Count);
        foreach (var (_, result) in answered)
        {
            var rank = result.Grade is null ? -1 : IndexOf(grades, result.Grade);
            if (rank >= 0)
            {
                ranks.Add(rank);
            }
        }

        if (ranks.Count == 0)
        {
            return null;
        }

        ranks.Sort();
        return grades[ranks[ranks.Count / 2]];
    }

    private static List<ItemScore> MajorityItems(RescoreRequest request, List<(string Judge, Rescore Result)> answered)
    {
        var byJudge = new List<Dictionary<string, ItemScore>>(answered.Count);
        foreach (var (_, result) in answered)
        {
            var items = new Dictionary<string, ItemScore>(result.Items.Count, StringComparer.Ordinal);
            foreach (var item in result.Items)
            {
                items[item.Id] = item;
            }

            byJudge.Add(items);
        }

        var combined = new List<ItemScore>(request.Items.Count);
        var scores = new List<double>(answered.Count);
        foreach (var evidence in request.Items)
        {
            int right = 0, wrong = 0;
            scores.Clear();
            foreach (var items in byJudge)
            {
                if (!items.TryGetValue(evidence.Id, out var item))
                {
                    continue;
                }

                if (item.Correct == true)
                {
                    right++;
                }
                else if (item.Correct == false)
                {
                    wrong++;
                }

                if (item.Score is { } score)
                {
                    scores.Add(score);
                }
            }

            if (right + wrong == 0 && scores.Count == 0)
            {
                continue;
            }

            // A tie is no majority: the item stays undecided rather than going either way.
            bool? correct = right > wrong ? true : wrong > right ? false : null;
            combined.Add(new ItemScore(evidence.Id, correct, Median(scores)));
        }

        return combined;
    }

    private static double? Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static int IndexOf(IReadOnlyList<string> grades, string grade)
    {
        for (var i = 0; i < grades.Count; i++)
        {
            if (string.Equals(grades[i], grade, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
