using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace AgentGuard.Oversight;

/// <summary>
/// A policy's <c>oversight:</c> section: the evaluations oversight re-scores, the obligations it
/// checks at a session's end, the tools that end a session, and the evidence patterns that label
/// a session watched or carrying peer context. Empty when the policy has no such section.
/// </summary>
public sealed class OversightPolicy
{
    /// <summary>The end tools when the policy names none.</summary>
    public static readonly IReadOnlyList<string> DefaultEndTools = ["end_task"];

    /// <summary>No evaluations or obligations; <c>end_task</c> ends a session.</summary>
    public static readonly OversightPolicy Empty = new();

    /// <summary>The evaluations, in file order.</summary>
    public IReadOnlyList<Evaluation> Evaluations { get; init; } = [];

    /// <summary>The obligations, in file order.</summary>
    public IReadOnlyList<Obligation> Obligations { get; init; } = [];

    /// <summary>Tools whose call ends the agent's session. Default <c>end_task</c>.</summary>
    public IReadOnlyList<string> EndTools { get; init; } = DefaultEndTools;

    /// <summary>Evidence patterns for the session's watched label.</summary>
    public ObservedPatterns Observed { get; init; } = ObservedPatterns.None;

    /// <summary>Evidence patterns that mark peer context (trust scores between agents, a peer-interaction memory).</summary>
    public IReadOnlyList<Regex> PeerContext { get; init; } = [];

    /// <summary>Whether the section declares nothing to check.</summary>
    public bool IsEmpty => Evaluations.Count == 0 && Obligations.Count == 0;

    /// <summary>The most tool names whose answer <see cref="Watches"/> remembers; names are the agent's to choose.</summary>
    private const int MaxWatchedNames = 1024;

    // Every call asks, and an agent uses few tools: the submission matchers run once per name.
    private readonly ConcurrentDictionary<string, bool> _watched = new(StringComparer.Ordinal);

    /// <summary>Whether a call of <paramref name="tool"/> can matter to oversight as it is made: a submission of some evaluation, or a call some obligation mandates.</summary>
    public bool Watches(string tool)
    {
        if (_watched.TryGetValue(tool, out var watched))
        {
            return watched;
        }

        watched = IsWatched(tool);
        if (_watched.Count < MaxWatchedNames)
        {
            _watched.TryAdd(tool, watched);
        }

        return watched;
    }

    private bool IsWatched(string tool)
    {
        foreach (var evaluation in Evaluations)
        {
            if (evaluation.IsSubmissionTool(tool))
            {
                return true;
            }
        }

        foreach (var obligation in Obligations)
        {
            if (string.Equals(obligation.Tool, tool, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether some evaluation holds its submissions until they are re-scored (<c>mode: sync</c>).</summary>
    public bool HasSyncEvaluations => _hasSync ??= Evaluations.Any(e => e.Mode == EvaluationMode.Sync);

    private bool? _hasSync;

    /// <summary>Whether <paramref name="tool"/> ends a session.</summary>
    public bool IsEndTool(string? tool)
    {
        if (tool is null)
        {
            return false;
        }

        // By index: every forwarded call asks, and foreach over the interface would box an enumerator.
        var endTools = EndTools;
        for (var i = 0; i < endTools.Count; i++)
        {
            if (string.Equals(endTools[i], tool, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The evaluation named <paramref name="name"/>, or <see langword="null"/>.</summary>
    public Evaluation? Find(string name)
    {
        foreach (var evaluation in Evaluations)
        {
            if (string.Equals(evaluation.Name, name, StringComparison.Ordinal))
            {
                return evaluation;
            }
        }

        return null;
    }
}
