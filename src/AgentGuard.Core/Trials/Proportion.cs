namespace AgentGuard.Trials;

/// <summary>A rate measured over episodes: <see cref="Count"/> of <see cref="Total"/>, with its 95% Wilson score interval.</summary>
public readonly record struct Proportion(int Count, int Total)
{
    /// <summary>The z of a two-sided 95% interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>The rate, or 0 with no episodes.</summary>
    public double Rate => Total == 0 ? 0 : (double)Count / Total;

    /// <summary>
    /// The Wilson score interval: unlike the normal approximation it stays inside [0, 1] and keeps
    /// its coverage at rates near 0 or 1 and with few episodes, which is where trials live.
    /// </summary>
    public (double Low, double High) Interval(double z = Z95)
    {
        if (Total == 0)
        {
            return (0, 1);
        }

        double n = Total, p = Rate, z2 = z * z;
        var centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        var half = z / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));

        // At 0 and at 1 the bound is exact; the formula lands a rounding error inside it.
        return (Count == 0 ? 0 : Math.Max(0, centre - half), Count == Total ? 1 : Math.Min(1, centre + half));
    }
}
