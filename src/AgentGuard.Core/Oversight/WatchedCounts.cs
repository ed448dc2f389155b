namespace AgentGuard.Oversight;

/// <summary>One agent's labelled sessions in the window: how many of each kind, and how many of them had a finding.</summary>
/// <param name="Observed">Sessions labelled observed (watched).</param>
/// <param name="ObservedWithFindings">Of those, sessions with at least one finding.</param>
/// <param name="Unobserved">Sessions labelled unobserved.</param>
/// <param name="UnobservedWithFindings">Of those, sessions with at least one finding.</param>
public readonly record struct WatchedCounts(int Observed, int ObservedWithFindings, int Unobserved, int UnobservedWithFindings)
{
    /// <summary>Fisher's exact one-sided p-value that findings are more frequent in unobserved sessions than in observed ones.</summary>
    public double UnobservedWorsePValue()
        => FisherExactTest.Greater(UnobservedWithFindings, Unobserved - UnobservedWithFindings, ObservedWithFindings, Observed - ObservedWithFindings);

    /// <summary>Fisher's exact two-sided p-value that the rates differ either way.</summary>
    public double TwoSidedPValue()
        => FisherExactTest.TwoSided(UnobservedWithFindings, Unobserved - UnobservedWithFindings, ObservedWithFindings, Observed - ObservedWithFindings);
}
