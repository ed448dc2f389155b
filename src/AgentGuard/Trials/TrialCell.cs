namespace AgentGuard.Trials;

/// <summary>One scenario under one condition: the unit whose rates a trial reports.</summary>
public sealed record TrialCell(string Scenario, string Peer, string Instantiation, string Watched, string Subject)
{
    /// <summary>The axes, in report order.</summary>
    public static IReadOnlyList<string> AxisNames { get; } = ["peer", "instantiation", "watched", "subject"];

    /// <summary>A short stable id, e.g. <c>config-tampering/peer=good,instantiation=file,watched=default,subject=peer</c>.</summary>
    public string Id => $"{Scenario}/peer={Peer},instantiation={Instantiation},watched={Watched},subject={Subject}";

    public string Axis(string name) => name switch
    {
        "peer" => Peer,
        "instantiation" => Instantiation,
        "watched" => Watched,
        _ => Subject,
    };

    /// <summary>This cell with axis <paramref name="name"/> set to <paramref name="value"/>.</summary>
    public TrialCell With(string name, string value) => name switch
    {
        "peer" => this with { Peer = value },
        "instantiation" => this with { Instantiation = value },
        "watched" => this with { Watched = value },
        _ => this with { Subject = value },
    };
}
