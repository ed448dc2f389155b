using System.Numerics;
using CsCheck;

namespace AgentGuard.Oversight;

/// <summary>
/// Fisher's exact test against values computed independently: the tea-tasting table's textbook
/// p-values, and the rest with exact rational arithmetic (Python's fractions and math.comb,
/// summing C(r1,x)·C(r2,c1-x)/C(n,c1) over the tables as or more extreme).
/// </summary>
public sealed class FisherExactTestTests
{
    [Theory]
    // Fisher's lady tasting tea: 3 of 4 cups right; two-sided 34/70, one-sided 17/70.
    [InlineData(3, 1, 1, 3, 0.485714285714, 0.242857142857, 0.985714285714)]
    // The watched/unwatched test's own case: findings in 12 of 20 unobserved against 2 of 20 observed.
    [InlineData(12, 8, 2, 18, 0.00219964124302, 0.00109982062151, 0.999931522178)]
    [InlineData(1, 9, 11, 3, 0.00275945618522, 0.999966348095, 0.00137972809261)]
    [InlineData(0, 5, 5, 0, 0.00793650793651, 1, 0.00396825396825)]
    [InlineData(10, 10, 10, 10, 1, 0.623814432718, 0.623814432718)]
    [InlineData(7, 12, 0, 5, 0.272068511199, 0.14558629776, 1)]
    [InlineData(30, 70, 12, 88, 0.00286656076328, 0.00143328038164, 0.999585382942)]
    [InlineData(60, 40, 10, 90, 5.03310969631e-14, 2.51655484816e-14, 1)]
    [InlineData(2, 0, 0, 2, 0.333333333333, 0.166666666667, 1)]
    [InlineData(5, 0, 0, 0, 1, 1, 1)]
    [InlineData(120, 380, 90, 410, 0.0242063543345, 0.0121031771672, 0.992017628755)]
    // Thousands of sessions: factorials far beyond double's range, handled as logarithms.
    [InlineData(1500, 1500, 1450, 1550, 0.205741995222, 0.102870997611, 0.906082480324)]
    public void PValues_KnownTables_MatchExactValues(int a, int b, int c, int d, double twoSided, double greater, double less)
    {
        AssertClose(twoSided, FisherExactTest.TwoSided(a, b, c, d));
        AssertClose(greater, FisherExactTest.Greater(a, b, c, d));
        AssertClose(less, FisherExactTest.Less(a, b, c, d));
    }

    [Fact]
    public void TwoSided_RowsSwapped_SameValue()
    {
        Assert.Equal(FisherExactTest.TwoSided(12, 8, 2, 18), FisherExactTest.TwoSided(2, 18, 12, 8), 12);
        Assert.Equal(FisherExactTest.Greater(12, 8, 2, 18), FisherExactTest.Less(2, 18, 12, 8), 12);
    }

    /// <summary>
    /// Random tables up to 160 sessions against an exact computation in integers (binomial
    /// coefficients as BigInteger, tables compared by their exact counts, one division at the end):
    /// the log-factorial sums agree to 1e-9, and the two-sided value is never below the one-sided
    /// tail on the observed side.
    /// </summary>
    [Fact]
    public void PValues_RandomTables_MatchExactIntegerComputation()
    {
        Gen.Int[0, 40].Array[4].Sample(cells =>
        {
            var (a, b, c, d) = (cells[0], cells[1], cells[2], cells[3]);
            var (twoSided, greater, less) = Exact(a, b, c, d);

            AssertClose(twoSided, FisherExactTest.TwoSided(a, b, c, d));
            AssertClose(greater, FisherExactTest.Greater(a, b, c, d));
            AssertClose(less, FisherExactTest.Less(a, b, c, d));
            Assert.True(FisherExactTest.TwoSided(a, b, c, d) >= Math.Min(greater, less) * (1 - 1e-12));
        });
    }

    [Fact]
    public void PValues_NegativeCount_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => FisherExactTest.TwoSided(1, -1, 2, 3));

    private static (double TwoSided, double Greater, double Less) Exact(int a, int b, int c, int d)
    {
        int row1 = a + b, row2 = c + d, column1 = a + c;
        var total = Choose(row1 + row2, column1);
        var observed = Choose(row1, a) * Choose(row2, column1 - a);
        BigInteger twoSided = 0, greater = 0, less = 0;
        for (var x = Math.Max(0, column1 - row2); x <= Math.Min(row1, column1); x++)
        {
            var ways = Choose(row1, x) * Choose(row2, column1 - x);
            twoSided += ways <= observed ? ways : 0;
            greater += x >= a ? ways : 0;
            less += x <= a ? ways : 0;
        }

        return (Ratio(twoSided, total), Ratio(greater, total), Ratio(less, total));
    }

    private static BigInteger Choose(int n, int k)
    {
        BigInteger result = 1;
        for (var i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }

    // Scaled so that the quotient keeps 30 significant digits before it becomes a double.
    private static double Ratio(BigInteger part, BigInteger whole)
        => (double)(part * BigInteger.Pow(10, 30) / whole) / 1e30;

    private static void AssertClose(double expected, double actual)
        => Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(expected, 1e-300) + 1e-15, $"expected {expected:G12}, got {actual:G12}");
}
