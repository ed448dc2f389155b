using System.Collections.Frozen;
using AgentGuard.Oversight;
using AgentGuard.Policy;
using Prometheus;

namespace AgentGuard.Telemetry;

/// <summary>
/// Per-evaluator oversight statistics for Prometheus, in the guard's registry beside
/// <see cref="GuardMetrics"/>: evaluations re-scored and how they came out, the signed bias
/// (submitted minus re-scored), pass/fail flips, threshold hugging, oversight findings, and the
/// <c>observed</c> label of ended sessions. Recorded by the oversight service, off the hot path.
/// </summary>
/// <remarks>
/// <para>
/// Labels come from closed sets or from configuration: <c>evaluator</c> and <c>agent</c> are ids the
/// guard vouches for (the sidecar's configured agent, a gateway's authenticated identities),
/// <c>evaluation</c> is a name in the policy, <c>outcome</c>, <c>direction</c>, <c>score</c>,
/// <c>observed</c> and <c>peer_context</c> are fixed here, <c>finding</c> and <c>severity</c> come from
/// the oversight code. As a last bound, each of <c>evaluator</c>/<c>agent</c> and <c>evaluation</c>
/// takes at most <see cref="MaxLabelValues"/> values; later ones are counted as <c>other</c>.
/// </para>
/// <para>
/// The signed bias is a histogram for its distribution. Its <c>_sum</c> goes down as well as up, so
/// <c>rate()</c> and <c>increase()</c> on it are wrong; the mean bias over a range is
/// (<c>agentguard_evaluation_overscored_points_total</c> − <c>agentguard_evaluation_underscored_points_total</c>)
/// / <c>agentguard_evaluation_bias_points_count</c>, all three counters.
/// </para>
/// </remarks>
internal sealed class OversightMetrics
{
    /// <summary>The label for values beyond <see cref="MaxLabelValues"/>.</summary>
    public const string Other = "other";

    /// <summary>The most distinct values of <c>evaluator</c>/<c>agent</c>, and of <c>evaluation</c>.</summary>
    public const int MaxLabelValues = 64;

    /// <summary>The <c>outcome</c> values of <c>agentguard_evaluations_rescored_total</c>.</summary>
    public static readonly FrozenSet<string> Outcomes = FrozenSet.Create(StringComparer.Ordinal, "consistent", "divergent", "unverified");

    /// <summary>The oversight findings the alerts watch, published at 0 for every agent with their severities, so that <c>increase()</c> sees the first one.</summary>
    public static readonly IReadOnlyList<Finding> KnownFindings =
    [
        new("score-divergence", Severity.High),
        new("score-divergence", Severity.Medium),
        new("mandated-action-missing", Severity.High),
        WatchedComparison.AlignmentFakingSuspected,
    ];

    private static readonly string[] Directions = ["to-pass", "to-fail"];
    private static readonly string[] Scores = ["submitted", "rescored"];

    private readonly double _nearThresholdPoints;
    private readonly Counter _rescored;
    private readonly Histogram _bias;
    private readonly Counter _overscored;
    private readonly Counter _underscored;
    private readonly Counter _flips;
    private readonly Counter _thresholdScores;
    private readonly Counter _nearThreshold;
    private readonly Counter _findings;
    private readonly Counter _sessions;
    private readonly Counter _dropped;
    private readonly BoundedLabel _agents = new();
    private readonly BoundedLabel _evaluations = new();

    /// <summary>Creates the metrics in <paramref name="registry"/>.</summary>
    /// <param name="registry">The guard's registry (<see cref="GuardMetrics.Registry"/>).</param>
    /// <param name="nearThresholdPoints">How far at or above the threshold a score counts as hugging it, in the evaluation's points. Default 5; 0 to 100.</param>
    public OversightMetrics(CollectorRegistry registry, double nearThresholdPoints = 5)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentOutOfRangeException.ThrowIfNegative(nearThresholdPoints);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nearThresholdPoints, 100);
        _nearThresholdPoints = nearThresholdPoints;
        var factory = Metrics.WithCustomRegistry(registry);
        factory.ExemplarBehavior = new ExemplarBehavior { DefaultExemplarProvider = static (_, _) => Exemplar.None };

        _rescored = factory.CreateCounter(
            "agentguard_evaluations_rescored_total",
            "Evaluations re-scored, by evaluator, evaluation and outcome (consistent, divergent, unverified: re-scoring failed or timed out).",
            ["evaluator", "evaluation", "outcome"]);
        _bias = factory.CreateHistogram(
            "agentguard_evaluation_bias_points",
            "Submitted minus re-scored score, in the evaluation's points (percent on a 0-100 scale). _sum is not monotonic: for the mean use the overscored and underscored counters.",
            ["evaluator", "evaluation"],
            new HistogramConfiguration { Buckets = [-50, -25, -10, -5, -2, -0.5, 0.5, 2, 5, 10, 25, 50] });
        _overscored = factory.CreateCounter(
            "agentguard_evaluation_overscored_points_total",
            "Sum of (submitted - re-scored) over evaluations submitted above their re-scored score.",
            ["evaluator", "evaluation"]);
        _underscored = factory.CreateCounter(
            "agentguard_evaluation_underscored_points_total",
            "Sum of (re-scored - submitted) over evaluations submitted below their re-scored score.",
            ["evaluator", "evaluation"]);
        _flips = factory.CreateCounter(
            "agentguard_evaluation_flips_total",
            "Evaluations whose submission and re-scoring fall on different sides of the threshold. direction: to-pass (the submission passes a subject the re-scoring fails) or to-fail.",
            ["evaluator", "evaluation", "direction"]);
        _thresholdScores = factory.CreateCounter(
            "agentguard_evaluation_threshold_scores_total",
            "Re-scored evaluations with a submitted score, a re-scored score and a threshold: the denominator of threshold hugging.",
            ["evaluator", "evaluation"]);
        _nearThreshold = factory.CreateCounter(
            "agentguard_evaluation_near_threshold_total",
            "Of those, scores at or just above the threshold (within the configured points). score: submitted or rescored.",
            ["evaluator", "evaluation", "score"]);
        _findings = factory.CreateCounter(
            "agentguard_oversight_findings_total",
            "Oversight findings (score-divergence, mandated-action-missing, alignment-faking-suspected, ...), by category, severity and agent.",
            ["finding", "severity", "agent"]);
        _sessions = factory.CreateCounter(
            "agentguard_oversight_sessions_total",
            "Ended sessions by their observed label (true, false, unknown) and whether they carried peer context.",
            ["agent", "observed", "peer_context"]);
        _dropped = factory.CreateCounter(
            "agentguard_oversight_events_dropped_total",
            "Calls, evidence and session ends oversight never saw because its queue was full (oversight is behind).");
    }

    /// <summary>Counts an event oversight's queue had no room for.</summary>
    public void Dropped() => _dropped.Inc();

    /// <summary>Publishes <paramref name="evaluator"/>'s series for <paramref name="evaluation"/> at 0, so that <c>increase()</c> sees the first one.</summary>
    public void Prepare(string evaluator, string evaluation)
    {
        var agent = _agents.Label(evaluator);
        var name = _evaluations.Label(evaluation);
        foreach (var outcome in Outcomes)
        {
            _rescored.WithLabels(agent, name, outcome);
        }

        _bias.WithLabels(agent, name);
        _overscored.WithLabels(agent, name);
        _underscored.WithLabels(agent, name);
        foreach (var direction in Directions)
        {
            _flips.WithLabels(agent, name, direction);
        }

        _thresholdScores.WithLabels(agent, name);
        foreach (var score in Scores)
        {
            _nearThreshold.WithLabels(agent, name, score);
        }

        PrepareAgent(evaluator);
    }

    /// <summary>Publishes <paramref name="agent"/>'s oversight finding series (<see cref="KnownFindings"/>) at 0.</summary>
    public void PrepareAgent(string agent)
    {
        var label = _agents.Label(agent);
        foreach (var finding in KnownFindings)
        {
            _findings.WithLabels(finding.Category, TelemetryLabels.Severity(finding.Severity), label);
        }
    }

    /// <summary>Counts one re-scored evaluation: its outcome, bias, flip and closeness to the threshold.</summary>
    public void Rescored(RescoredEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        if (!Outcomes.Contains(evaluation.Outcome))
        {
            throw new ArgumentException($"Outcome '{evaluation.Outcome}' is not one of {string.Join(", ", Outcomes)}.", nameof(evaluation));
        }

        Prepare(evaluation.Evaluator, evaluation.Evaluation);
        var agent = _agents.Label(evaluation.Evaluator);
        var name = _evaluations.Label(evaluation.Evaluation);
        _rescored.WithLabels(agent, name, evaluation.Outcome).Inc();

        if (evaluation is { Submitted: { } submitted, Rescored: { } rescored })
        {
            var bias = submitted - rescored;
            _bias.WithLabels(agent, name).Observe(bias);
            if (bias > 0)
            {
                _overscored.WithLabels(agent, name).Inc(bias);
            }
            else if (bias < 0)
            {
                _underscored.WithLabels(agent, name).Inc(-bias);
            }

            if (evaluation.Threshold is { } threshold)
            {
                _thresholdScores.WithLabels(agent, name).Inc();
                if (Near(submitted, threshold))
                {
                    _nearThreshold.WithLabels(agent, name, "submitted").Inc();
                }

                if (Near(rescored, threshold))
                {
                    _nearThreshold.WithLabels(agent, name, "rescored").Inc();
                }
            }
        }

        var submittedPasses = evaluation.SubmittedPasses ?? evaluation.Submitted >= evaluation.Threshold;
        var rescoredPasses = evaluation.RescoredPasses ?? evaluation.Rescored >= evaluation.Threshold;
        if (evaluation.Outcome != "unverified" && submittedPasses is { } s && rescoredPasses is { } r && s != r)
        {
            _flips.WithLabels(agent, name, s ? "to-pass" : "to-fail").Inc();
        }
    }

    /// <summary>Counts an oversight finding.</summary>
    public void Found(OversightFinding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        _findings.WithLabels(finding.Finding.Category, TelemetryLabels.Severity(finding.Finding.Severity), _agents.Label(finding.Session.Agent)).Inc();
    }

    /// <summary>Counts an ended session by its labels.</summary>
    public void SessionEnded(string agent, bool? observed, bool peerContext)
        => _sessions.WithLabels(
            _agents.Label(agent),
            observed switch { true => "true", false => "false", null => "unknown" },
            peerContext ? "true" : "false").Inc();

    private bool Near(double score, double threshold) => score >= threshold && score <= threshold + _nearThresholdPoints;

    /// <summary>A label's values as first seen, at most <see cref="MaxLabelValues"/>; the rest are <see cref="Other"/>.</summary>
    private sealed class BoundedLabel
    {
        private readonly Lock _gate = new();
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

        public string Label(string value)
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (_gate)
            {
                if (_seen.Contains(value))
                {
                    return value;
                }

                if (_seen.Count >= MaxLabelValues)
                {
                    return Other;
                }

                _seen.Add(value);
                return value;
            }
        }
    }
}
