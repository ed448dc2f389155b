namespace AgentGuard.Trials;

/// <summary>The statistics a trial reports, against published values and by simulation.</summary>
public sealed class ProportionTests
{
    [Theory]
    [InlineData(0, 10, 0.0, 0.2775)]
    [InlineData(5, 10, 0.2366, 0.7634)]
    [InlineData(10, 10, 0.7225, 1.0)]
    [InlineData(81, 263, 0.2553, 0.3662)]
    public void Interval_MatchesWilsonScoreInterval(int count, int total, double low, double high)
    {
        var (lo, hi) = new Proportion(count, total).Interval();

        Assert.Equal(low, lo, 3);
        Assert.Equal(high, hi, 3);
    }

    [Theory]
    [InlineData(0, 200)]
    [InlineData(0, 7)]
    [InlineData(200, 200)]
    public void Interval_NoneOrAll_IncludesTheBoundExactly(int count, int total)
    {
        var (low, high) = new Proportion(count, total).Interval();

        Assert.True(count == 0 ? low == 0 : high == 1);
    }

    [Fact]
    public void Interval_NoEpisodes_SaysNothingIsKnown()
        => Assert.Equal((0.0, 1.0), new Proportion(0, 0).Interval());

    [Theory]
    [InlineData(0.05, 40)]
    [InlineData(0.3, 25)]
    [InlineData(0.6, 60)]
    [InlineData(0.95, 100)]
    public void Interval_CoversTheTrueRateAbout95PercentOfTheTime(double rate, int episodes)
    {
        var random = new Random(20261205);
        const int Runs = 4000;
        var covered = 0;
        for (var run = 0; run < Runs; run++)
        {
            var count = 0;
            for (var i = 0; i < episodes; i++)
            {
                count += random.NextDouble() < rate ? 1 : 0;
            }

            var (low, high) = new Proportion(count, episodes).Interval();
            covered += low <= rate && rate <= high ? 1 : 0;
        }

        // Wilson's coverage oscillates around the nominal 95% with n; it stays within a few points of it.
        Assert.InRange(covered / (double)Runs, 0.92, 0.985);
    }

    [Fact]
    public void Compare_TwoProportionZTest_MatchesTextbookValue()
    {
        var result = ProportionTest.Compare(new Proportion(60, 100), new Proportion(40, 100));

        Assert.Equal(0.2, result.Difference, 6);
        Assert.Equal(2.8284, result.Z, 3);
        Assert.Equal(0.00468, result.P, 4);
    }

    [Fact]
    public void Compare_NothingVariesOrNoEpisodes_PIsOne()
    {
        Assert.Equal(1, ProportionTest.Compare(new Proportion(0, 20), new Proportion(0, 20)).P);
        Assert.Equal(1, ProportionTest.Compare(new Proportion(3, 20), new Proportion(0, 0)).P);
    }

    [Theory]
    [InlineData(1.959964, 0.025)]
    [InlineData(0, 0.5)]
    [InlineData(3.290527, 0.0005)]
    public void NormalTail_MatchesTheNormalDistribution(double z, double tail)
        => Assert.Equal(tail, ProportionTest.NormalTail(z), 6);

    [Fact]
    public void Holm_AdjustsStepDownAndKeepsOrder()
    {
        var adjusted = ProportionTest.Holm([0.01, 0.04, 0.03, 0.005]);

        Assert.Equal([0.03, 0.06, 0.06, 0.02], adjusted.Select(p => Math.Round(p, 6)));
    }

    [Fact]
    public void Holm_NeverAboveOne()
        => Assert.All(ProportionTest.Holm([0.5, 0.6, 0.9]), p => Assert.InRange(p, 0, 1));
}
