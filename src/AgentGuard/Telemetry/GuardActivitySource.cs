using System.Diagnostics;

namespace AgentGuard.Telemetry;

/// <summary>
/// The guard's one <see cref="ActivitySource"/>, named <c>AgentGuard</c>. Static on purpose: an
/// OpenTelemetry tracer provider subscribes to sources by name, so one source per process is what
/// <c>AddSource("AgentGuard")</c> finds whichever host started it. With nobody listening,
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns <see langword="null"/>
/// and a request pays nothing for tracing.
/// </summary>
internal static class GuardActivitySource
{
    /// <summary>
    /// The name of the activity source. The metrics are prometheus-net instruments in
    /// <see cref="GuardMetrics"/>, one registry per host, rather than a <c>System.Diagnostics.Metrics</c> Meter.
    /// </summary>
    public const string Name = "AgentGuard";

    /// <summary>The source every guard span comes from.</summary>
    public static readonly ActivitySource Source = new(Name, typeof(GuardActivitySource).Assembly.GetName().Version?.ToString());

    /// <summary>The current activity when it is one of the guard's own spans, else <see langword="null"/>.</summary>
    /// <remarks>
    /// Lets code below the span's <c>using</c> tag it without the span being passed down. Checking
    /// the source matters: with the guard's span off but ASP.NET Core traced, <see cref="Activity.Current"/>
    /// is the server span, and decision attributes do not belong there.
    /// </remarks>
    public static Activity? Current
        => Activity.Current is { } activity && ReferenceEquals(activity.Source, Source) ? activity : null;
}
