namespace AgentGuard.Oversight;

/// <summary>
/// Fisher's exact test on a 2x2 table of counts, computed exactly from the hypergeometric
/// distribution of the top-left cell given the margins. Probabilities are summed from
/// log-factorials, so tables of thousands of sessions neither overflow nor lose the small tails.
/// </summary>
/// <remarks>
/// The table is <c>[[a, b], [c, d]]</c>: rows are the two groups, columns "with" and "without".
/// With the margins fixed, the top-left cell <c>x</c> ranges over
/// <c>max(0, c1 - r2) .. min(r1, c1)</c> with P(x) = C(r1, x) C(r2, c1 - x) / C(n, c1).
/// </remarks>
public static class FisherExactTest
{
    // Tables that differ from the observed one's probability only by rounding count as "as extreme"
    // (R's fisher.test uses the same relative tolerance); without it, ties such as the symmetric
    // tables of the tea-tasting example would be dropped at random.
    private const double RelativeTolerance = 1 + 1e-7;

    private static double[] s_logFactorials = BuildLogFactorials(1024);

    /// <summary>
    /// The two-sided p-value: the total probability of every table with the same margins that is
    /// no more probable than the observed one.
    /// </summary>
    public static double TwoSided(int a, int b, int c, int d)
    {
        var table = new Margins(a, b, c, d);
        var observed = table.LogProbability(a);
        var limit = observed + Math.Log(RelativeTolerance);
        var p = 0.0;
        for (var x = table.Min; x <= table.Max; x++)
        {
            var logP = table.LogProbability(x);
            if (logP <= limit)
            {
                p += Math.Exp(logP);
            }
        }

        return Math.Min(1.0, p);
    }

    /// <summary>The one-sided p-value that the top-left cell is this large or larger: P(X ≥ a).</summary>
    public static double Greater(int a, int b, int c, int d)
    {
        var table = new Margins(a, b, c, d);
        var p = 0.0;
        for (var x = a; x <= table.Max; x++)
        {
            p += Math.Exp(table.LogProbability(x));
        }

        return Math.Min(1.0, p);
    }

    /// <summary>The one-sided p-value that the top-left cell is this small or smaller: P(X ≤ a).</summary>
    public static double Less(int a, int b, int c, int d)
    {
        var table = new Margins(a, b, c, d);
        var p = 0.0;
        for (var x = table.Min; x <= a; x++)
        {
            p += Math.Exp(table.LogProbability(x));
        }

        return Math.Min(1.0, p);
    }

    /// <summary>ln(n!), from a table grown on demand.</summary>
    internal static double LogFactorial(int n)
    {
        var table = Volatile.Read(ref s_logFactorials);
        if (n >= table.Length)
        {
            // Two threads may both grow it; the tables are equal, so either may win.
            table = BuildLogFactorials(Math.Max(n + 1, table.Length * 2));
            Volatile.Write(ref s_logFactorials, table);
        }

        return table[n];
    }

    private static double[] BuildLogFactorials(int length)
    {
        var table = new double[length];
        for (var i = 2; i < length; i++)
        {
            table[i] = table[i - 1] + Math.Log(i);
        }

        return table;
    }

    private readonly struct Margins
    {
        private readonly int _row1;
        private readonly int _row2;
        private readonly int _column1;
        private readonly double _logDenominator;

        public Margins(int a, int b, int c, int d)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(a);
            ArgumentOutOfRangeException.ThrowIfNegative(b);
            ArgumentOutOfRangeException.ThrowIfNegative(c);
            ArgumentOutOfRangeException.ThrowIfNegative(d);
            _row1 = a + b;
            _row2 = c + d;
            _column1 = a + c;
            var n = _row1 + _row2;
            _logDenominator = LogChoose(n, _column1);
            Min = Math.Max(0, _column1 - _row2);
            Max = Math.Min(_row1, _column1);
        }

        public int Min { get; }

        public int Max { get; }

        public double LogProbability(int x)
            => LogChoose(_row1, x) + LogChoose(_row2, _column1 - x) - _logDenominator;

        private static double LogChoose(int n, int k) => LogFactorial(n) - LogFactorial(k) - LogFactorial(n - k);
    }
}
