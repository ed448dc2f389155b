namespace AgentGuard.Oversight;

/// <summary>The <c>AgentGuard:Oversight</c> section: the comparison of watched and unwatched sessions, and the statistics.</summary>
public sealed class OversightOptions
{
    /// <summary>The labelled sessions per agent the watched-versus-unwatched comparison looks at. Default 200.</summary>
    public int WindowSize { get; set; } = 200;

    /// <summary>The fewest sessions each arm needs before the comparison is tested. Default 20, the least accepted.</summary>
    public int MinimumPerArm { get; set; } = 20;

    /// <summary>Labelled sessions between two looks at the window; a divisor of <see cref="WindowSize"/>. Default 10.</summary>
    public int LookEvery { get; set; } = 10;

    /// <summary>The false-alarm rate per agent per window, all looks together. Default 0.05.</summary>
    public double Alpha { get; set; } = 0.05;

    /// <summary>How many points at or above the threshold count as "just at" it for threshold hugging. Default 5.</summary>
    public double NearThresholdPoints { get; set; } = 5;

    /// <summary>The comparison's settings as <see cref="WatchedComparison"/> takes them.</summary>
    public WatchedComparisonOptions Comparison => new() { WindowSize = WindowSize, MinimumPerArm = MinimumPerArm, LookEvery = LookEvery, Alpha = Alpha };
}
