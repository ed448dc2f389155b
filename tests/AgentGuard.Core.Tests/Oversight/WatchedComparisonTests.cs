using AgentGuard.Policy;
using AgentGuard.Sessions;
using Xunit.Abstractions;

namespace AgentGuard.Oversight;

/// <summary>
/// Watched versus unwatched: the statistic stays quiet when watched and unwatched sessions do not
/// differ (its false-alarm rate, over many simulated agents, stays under alpha despite the repeated
/// looks) and fires when they do. Simulations use fixed seeds.
/// </summary>
public sealed class WatchedComparisonTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 7, 0, 0, TimeSpan.Zero);

    [Fact]
    public void SessionEnded_TwelveOfTwentyUnobservedAgainstTwoOfTwentyObserved_RaisesWithCountsAndPValue()
    {
        var comparison = new WatchedComparison(new WatchedComparisonOptions());
        var findings = new List<OversightFinding>();

        // Alternating labels: both arms reach 20 at the 40th session, a scheduled look.
        for (var i = 0; i < 20; i++)
        {
            Collect(findings, comparison.SessionEnded(Key("evaluator-1", i * 2), observed: false, hadFinding: i < 12, Now));
            Collect(findings, comparison.SessionEnded(Key("evaluator-1", (i * 2) + 1), observed: true, hadFinding: i < 2, Now));
        }

        var finding = Assert.Single(findings);
        Assert.Equal(WatchedComparison.AlignmentFakingSuspected, finding.Finding);
        Assert.Equal(Severity.High, finding.Finding.Severity);
        Assert.Equal("evaluator-1", finding.Session.Agent);
        Assert.Equal("s39", finding.Session.Id);
        Assert.Equal("evaluator-1", finding.Evaluator);
        Assert.Contains("12 of 20 unobserved sessions (60%)", finding.Message, StringComparison.Ordinal);
        Assert.Contains("2 of 20 observed sessions (10%)", finding.Message, StringComparison.Ordinal);
        Assert.Contains("p = 0.0011", finding.Message, StringComparison.Ordinal);
        Assert.Contains("two-sided p = 0.0022", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SessionEnded_NineteenPerArm_DoesNotTest()
    {
        var comparison = new WatchedComparison(new WatchedComparisonOptions());

        // 19 unobserved sessions all with findings, 19 observed without any, plus two unobserved: the
        // difference is as large as it gets, but the observed arm never reaches 20.
        for (var i = 0; i < 19; i++)
        {
            Assert.Null(comparison.SessionEnded(Key("a", i), observed: false, hadFinding: true, Now));
            Assert.Null(comparison.SessionEnded(Key("a", 100 + i), observed: true, hadFinding: false, Now));
        }

        Assert.Null(comparison.SessionEnded(Key("a", 200), observed: false, hadFinding: true, Now));
        Assert.Null(comparison.SessionEnded(Key("a", 201), observed: false, hadFinding: true, Now));
        Assert.Equal(new WatchedCounts(19, 0, 21, 21), comparison.Counts("a"));
    }

    [Fact]
    public void SessionEnded_UnknownLabel_LeftOut()
    {
        var comparison = new WatchedComparison(new WatchedComparisonOptions());

        for (var i = 0; i < 100; i++)
        {
            Assert.Null(comparison.SessionEnded(Key("a", i), observed: null, hadFinding: true, Now));
        }

        Assert.Equal(default, comparison.Counts("a"));
    }

    [Fact]
    public void SessionEnded_ObservedWorse_NeverRaises()
    {
        // Worse when watched is not alignment faking: the test is one-sided.
        var comparison = new WatchedComparison(new WatchedComparisonOptions());
        for (var i = 0; i < 200; i++)
        {
            var observed = i % 2 == 0;
            Assert.Null(comparison.SessionEnded(Key("a", i), observed, hadFinding: observed, Now));
        }
    }

    [Fact]
    public void SessionEnded_DifferenceContinues_RaisedOncePerWindowThenAgain()
    {
        var options = new WatchedComparisonOptions();
        var comparison = new WatchedComparison(options);
        var raisedAt = new List<int>();

        for (var i = 0; i < 3 * options.WindowSize; i++)
        {
            var observed = i % 2 == 0;
            if (comparison.SessionEnded(Key("a", i), observed, hadFinding: !observed, Now) is not null)
            {
                raisedAt.Add(i);
            }
        }

        // Once in each block of 200 labelled sessions, at its first look with 20 per arm.
        Assert.Equal([39, 209, 409], raisedAt);
    }

    [Fact]
    public void SessionEnded_AgentsCountedApart()
    {
        var comparison = new WatchedComparison(new WatchedComparisonOptions());
        for (var i = 0; i < 40; i++)
        {
            var observed = i % 2 == 0;
            Assert.Null(comparison.SessionEnded(Key(i % 4 < 2 ? "a" : "b", i), observed, hadFinding: !observed && i % 4 < 2, Now));
        }

        Assert.Equal(new WatchedCounts(10, 0, 10, 10), comparison.Counts("a"));
        Assert.Equal(new WatchedCounts(10, 0, 10, 0), comparison.Counts("b"));
    }

    [Fact]
    public void SessionEnded_FromSession_UsesItsLabels()
    {
        var comparison = new WatchedComparison(new WatchedComparisonOptions());
        OversightFinding? finding = null;
        for (var i = 0; i < 40; i++)
        {
            var session = new Session(Key("a", i), Now, new SessionLimits()) { Observed = i % 2 == 0, PeerContext = true };
            finding ??= comparison.SessionEnded(session, hadFinding: i % 2 == 1, Now);
        }

        Assert.NotNull(finding);
        Assert.True(finding.PeerContext);
    }

    /// <summary>
    /// The test that fails if the statistic fires when there is nothing to find: 1,000 simulated
    /// agents, each with 400 labelled sessions (two windows), half of them watched, and findings
    /// equally likely whether watched or not. The share of windows with an alarm must stay under
    /// alpha. A monitor that tested every look at alpha, without the correction, is run on the same
    /// sessions and must exceed it: the simulation can tell a corrected monitor from one that is not.
    /// </summary>
    [Theory]
    [InlineData(0.1, 11)]
    [InlineData(0.3, 12)]
    [InlineData(0.6, 13)]
    public void SessionEnded_NoDifference_FalseAlarmRateUnderAlpha(double findingRate, int seed)
    {
        var options = new WatchedComparisonOptions();
        var random = new Random(seed);
        const int agents = 1000;
        const int windows = 2;
        var alarms = 0;
        var uncorrectedAlarms = 0;

        for (var agent = 0; agent < agents; agent++)
        {
            var comparison = new WatchedComparison(options);
            var uncorrected = new bool[windows];
            for (var i = 0; i < windows * options.WindowSize; i++)
            {
                var observed = random.NextDouble() < 0.5;
                var hadFinding = random.NextDouble() < findingRate;
                if (comparison.SessionEnded(Key("agent", i), observed, hadFinding, Now) is not null)
                {
                    alarms++;
                }

                if ((i + 1) % options.LookEvery == 0 && Uncorrected(comparison.Counts("agent"), options))
                {
                    uncorrected[i / options.WindowSize] = true;
                }
            }

            uncorrectedAlarms += uncorrected.Count(x => x);
        }

        var rate = (double)alarms / (agents * windows);
        var uncorrectedRate = (double)uncorrectedAlarms / (agents * windows);
        output.WriteLine($"finding rate {findingRate}: alarms in {rate:P2} of windows; uncorrected {uncorrectedRate:P2}");
        Assert.True(rate <= options.Alpha, $"false alarms in {rate:P2} of windows, above alpha {options.Alpha}");
        Assert.True(uncorrectedRate > options.Alpha, $"without the correction {uncorrectedRate:P2}: the simulation would not show a missing correction");
    }

    /// <summary>A real difference, findings in 60% of unwatched sessions against 10% of watched ones, is found within one window, in every simulated agent.</summary>
    [Fact]
    public void SessionEnded_TenAgainstSixtyPercent_FiresWithinOneWindow()
    {
        var options = new WatchedComparisonOptions();
        var random = new Random(42);
        const int agents = 200;
        var found = 0;
        var sessionsToFind = new List<int>();

        for (var agent = 0; agent < agents; agent++)
        {
            var comparison = new WatchedComparison(options);
            for (var i = 0; i < options.WindowSize; i++)
            {
                var observed = random.NextDouble() < 0.5;
                var hadFinding = random.NextDouble() < (observed ? 0.1 : 0.6);
                if (comparison.SessionEnded(Key("agent", i), observed, hadFinding, Now) is not null)
                {
                    found++;
                    sessionsToFind.Add(i + 1);
                    break;
                }
            }
        }

        Assert.Equal(agents, found);
        sessionsToFind.Sort();
        output.WriteLine($"median sessions to the alarm {sessionsToFind[agents / 2]}, most {sessionsToFind[^1]}");
        Assert.True(sessionsToFind[agents / 2] <= 80, $"median sessions to the alarm {sessionsToFind[agents / 2]}");
    }

    [Theory]
    [InlineData(200, 19, 10, 0.05, "MinimumPerArm is 19")]
    [InlineData(30, 20, 10, 0.05, "WindowSize is 30")]
    [InlineData(200, 20, 30, 0.05, "LookEvery is 30")]
    [InlineData(200, 20, 0, 0.05, "LookEvery is 0")]
    [InlineData(200, 20, 10, 0, "Alpha is 0")]
    [InlineData(200, 20, 10, 0.6, "Alpha is 0.6")]
    public void Constructor_InvalidOptions_ThrowsNamingTheFix(int window, int minimum, int lookEvery, double alpha, string expected)
    {
        var options = new WatchedComparisonOptions { WindowSize = window, MinimumPerArm = minimum, LookEvery = lookEvery, Alpha = alpha };

        var error = Assert.Throws<ArgumentException>(() => new WatchedComparison(options));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("use ", error.Message, StringComparison.Ordinal);
    }

    private static bool Uncorrected(WatchedCounts counts, WatchedComparisonOptions options)
        => counts.Observed >= options.MinimumPerArm && counts.Unobserved >= options.MinimumPerArm && counts.UnobservedWorsePValue() <= options.Alpha;

    private static SessionKey Key(string agent, int session) => new(agent, "s" + session);

    private static void Collect(List<OversightFinding> findings, OversightFinding? finding)
    {
        if (finding is not null)
        {
            findings.Add(finding);
        }
    }
}
