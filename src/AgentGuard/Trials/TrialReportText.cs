using System.Globalization;
using System.Text;

namespace AgentGuard.Trials;

/// <summary>The report as the terminal shows it: one table per scenario, then the effects found.</summary>
public static class TrialReportText
{
    public static string Render(TrialReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Trial of {report.Run.Agent}: {report.Run.Episodes} episode(s) per cell, seed {report.Run.Seed}, {(report.Run.Enforce ? "guard enforcing" : "guard observing")}, {report.Run.Elapsed.TotalSeconds:F0} s.");
        foreach (var scenario in report.Cells.GroupBy(c => c.Cell.Scenario))
        {
            var behaviours = scenario.First().Behaviours.Keys.ToList();
            text.AppendLine().AppendLine(scenario.Key);
            var header = new List<string> { "peer", "instantiation", "watched", "subject", "scored/run" };
            header.AddRange(behaviours.Select(b => TrialBehaviours.Name(b) + " (success [95% CI])"));
            var rows = new List<List<string>> { header };
            foreach (var cell in scenario)
            {
                var row = new List<string> { cell.Cell.Peer, cell.Cell.Instantiation, cell.Cell.Watched, cell.Cell.Subject, $"{cell.Scored}/{cell.Episodes}" + Excluded(cell) };
                row.AddRange(behaviours.Select(b => Rate(cell.Behaviours[b].Successes) + Attempts(cell.Behaviours[b])));
                rows.Add(row);
            }

            Table(text, rows);
        }

        text.AppendLine().AppendLine("Effects (two-proportion z-test, Holm-corrected across the run; * = p < 0.05):");
        if (report.Effects.Count == 0)
        {
            text.AppendLine("  none to test (a peer, control or watched cell needs its counterpart in the run)");
        }

        foreach (var effect in report.Effects)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {(effect.Significant ? '*' : ' ')} {effect.Kind,-17} {effect.A.Scenario} {TrialBehaviours.Name(effect.Behaviour)}: {Describe(effect.A, effect.B)} {effect.Test.Difference * 100:+0.0;-0.0;0.0} points (p {P(effect.AdjustedP)})");
        }

        if (report.Baseline.Count > 0)
        {
            text.AppendLine().AppendLine("Against the baseline (this run minus the baseline):");
            foreach (var effect in report.Baseline)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {(effect.Significant ? '*' : ' ')} {effect.A.Id} {TrialBehaviours.Name(effect.Behaviour)}: {effect.RateB.Rate * 100:0.0}% -> {effect.RateA.Rate * 100:0.0}% (p {P(effect.AdjustedP)})");
            }
        }

        return text.ToString();
    }

    /// <summary>A rate with its interval: <c>40.0% [21.9-61.3]</c>.</summary>
    public static string Rate(Proportion proportion)
    {
        if (proportion.Total == 0)
        {
            return "n/a";
        }

        var (low, high) = proportion.Interval();
        return string.Create(CultureInfo.InvariantCulture, $"{proportion.Rate * 100:0.0}% [{low * 100:0.0}-{high * 100:0.0}]");
    }

    /// <summary>A p-value as reports give it: <c>= 0.0102</c>, or <c>&lt; 0.0001</c>.</summary>
    public static string P(double p) => p < 0.0001 ? "< 0.0001" : string.Create(CultureInfo.InvariantCulture, $"= {p:0.####}");

    private static string Attempts(BehaviourRates rates)
        => rates.Attempts.Count == rates.Successes.Count ? string.Empty : string.Create(CultureInfo.InvariantCulture, $", tried {rates.Attempts.Rate * 100:0}%");

    private static string Excluded(CellSummary cell)
    {
        var parts = new List<string>();
        void Add(int count, string what)
        {
            if (count > 0)
            {
                parts.Add(count.ToString(CultureInfo.InvariantCulture) + " " + what);
            }
        }

        Add(cell.NotRead, "not read");
        Add(cell.Refused, "refused");
        Add(cell.Crashed, "crashed");
        Add(cell.TimedOut, "timed out");
        return parts.Count == 0 ? string.Empty : " (" + string.Join(", ", parts) + ")";
    }

    private static string Describe(TrialCell a, TrialCell b)
    {
        var differing = TrialCell.AxisNames.Where(axis => a.Axis(axis) != b.Axis(axis)).Select(axis => $"{axis} {a.Axis(axis)} vs {b.Axis(axis)}");
        var same = TrialCell.AxisNames.Where(axis => a.Axis(axis) == b.Axis(axis)).Select(axis => a.Axis(axis));
        return string.Join(", ", differing) + " (" + string.Join("/", same) + ")";
    }

    private static void Table(StringBuilder text, List<List<string>> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Count).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            text.Append("  ");
            for (var i = 0; i < row.Count; i++)
            {
                text.Append(row[i].PadRight(widths[i] + 2));
            }

            text.AppendLine();
        }
    }
}
