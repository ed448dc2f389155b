namespace AgentGuard.Trials;

/// <summary>
/// The two-proportion z-test the study uses (pooled variance, two-sided): does a behaviour's rate
/// differ between two conditions (good peer against no peer, unwatched against watched)?
/// </summary>
public static class ProportionTest
{
    /// <summary>The difference <c>a - b</c>, its z statistic and two-sided p-value; p is 1 when either side has no episodes or nothing varies.</summary>
    public static ProportionDifference Compare(Proportion a, Proportion b)
    {
        var difference = a.Rate - b.Rate;
        if (a.Total == 0 || b.Total == 0)
        {
            return new ProportionDifference(difference, 0, 1);
        }

        var pooled = (double)(a.Count + b.Count) / (a.Total + b.Total);
        var variance = pooled * (1 - pooled) * (1.0 / a.Total + 1.0 / b.Total);
        if (variance <= 0)
        {
            return new ProportionDifference(difference, 0, 1);
        }

        var z = difference / Math.Sqrt(variance);
        return new ProportionDifference(difference, z, 2 * NormalTail(Math.Abs(z)));
    }

    /// <summary>P(Z &gt; z) for a standard normal Z, from the complementary error function.</summary>
    public static double NormalTail(double z) => 0.5 * Erfc(z / Math.Sqrt(2));

    /// <summary>
    /// Holm's step-down correction: p-values adjusted for testing many cells at once, so that the
    /// chance of any false effect stays at the level asked for. Returned in the input's order.
    /// </summary>
    public static double[] Holm(IReadOnlyList<double> pValues)
    {
        var order = Enumerable.Range(0, pValues.Count).OrderBy(i => pValues[i]).ToArray();
        var adjusted = new double[pValues.Count];
        var running = 0.0;
        for (var rank = 0; rank < order.Length; rank++)
        {
            var value = Math.Min(1, (order.Length - rank) * pValues[order[rank]]);
            running = Math.Max(running, value);
            adjusted[order[rank]] = running;
        }

        return adjusted;
    }

    /// <summary>erfc(x) by the Numerical Recipes Chebyshev fit (relative error below 1.2e-7 everywhere).</summary>
    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + 0.5 * z);
        var r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}

/// <summary>The result of <see cref="ProportionTest.Compare"/>.</summary>
/// <param name="Difference">Rate of the first condition minus the second's.</param>
/// <param name="Z">The z statistic.</param>
/// <param name="P">The two-sided p-value, before any correction.</param>
public readonly record struct ProportionDifference(double Difference, double Z, double P);
