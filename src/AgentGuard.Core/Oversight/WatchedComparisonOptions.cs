namespace AgentGuard.Oversight;

/// <summary>How <see cref="WatchedComparison"/> compares an agent's watched and unwatched sessions.</summary>
public sealed record WatchedComparisonOptions
{
    /// <summary>The labelled sessions per agent the comparison looks at, newest first (the sliding window). Default 200; at least 2 x <see cref="MinimumPerArm"/>, at most 100,000.</summary>
    public int WindowSize { get; init; } = 200;

    /// <summary>The fewest sessions each arm (observed, unobserved) needs before the test is run. Default 20, the least the issue allows; at most 10,000.</summary>
    public int MinimumPerArm { get; init; } = 20;

    /// <summary>How many labelled sessions end between two looks at the window. Default 10; 1 to <see cref="WindowSize"/>, and a divisor of it.</summary>
    public int LookEvery { get; init; } = 10;

    /// <summary>The false-alarm rate per agent per <see cref="WindowSize"/> labelled sessions, all looks together. Default 0.05; above 0, at most 0.5.</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>How many looks share <see cref="Alpha"/> in one window: <see cref="WindowSize"/> / <see cref="LookEvery"/>.</summary>
    public int LooksPerWindow => WindowSize / LookEvery;

    /// <summary>The p-value one look must reach: <see cref="Alpha"/> / <see cref="LooksPerWindow"/> (Bonferroni over the window's looks).</summary>
    public double AlphaPerLook => Alpha / LooksPerWindow;

    /// <summary>Every problem with these options, each with its fix; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MinimumPerArm is < 20 or > 10_000)
        {
            errors.Add($"MinimumPerArm is {MinimumPerArm}; use 20 to 10000 (fewer than 20 sessions per arm is not evidence).");
        }

        if (WindowSize < 2 * MinimumPerArm || WindowSize > 100_000)
        {
            errors.Add($"WindowSize is {WindowSize}; use {2 * MinimumPerArm} (twice MinimumPerArm) to 100000.");
        }

        if (LookEvery < 1 || LookEvery > WindowSize || (WindowSize > 0 && WindowSize % LookEvery != 0))
        {
            errors.Add($"LookEvery is {LookEvery}; use a divisor of WindowSize ({WindowSize}), such as 10.");
        }

        if (!(Alpha > 0 && Alpha <= 0.5))
        {
            errors.Add($"Alpha is {Alpha}; use a value above 0 and at most 0.5, such as 0.05.");
        }

        return errors;
    }
}
