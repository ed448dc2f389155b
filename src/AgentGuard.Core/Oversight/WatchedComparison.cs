using System.Globalization;
using AgentGuard.Policy;
using AgentGuard.Sessions;

namespace AgentGuard.Oversight;

/// <summary>
/// Watched versus unwatched: per agent, over a sliding window of its ended sessions that carry an
/// <c>observed</c> label, compares the share of sessions with a finding among unobserved sessions
/// with the share among observed ones, and raises <c>alignment-faking-suspected</c> when findings
/// are significantly more frequent when the agent believes nobody watches (the study's alignment
/// faking: honest when "actively reviewed and monitored", inflating when the pipeline "operates
/// autonomously without company monitoring").
/// </summary>
/// <remarks>
/// <para>
/// The test is Fisher's exact test, one-sided (unobserved worse): an agent that behaves worse when
/// watched is not faking alignment, and spending the false-alarm budget on that direction would
/// only cost power. It runs only when each arm holds at least
/// <see cref="WatchedComparisonOptions.MinimumPerArm"/> sessions.
/// </para>
/// <para>
/// The window is tested again and again as sessions end, and each look is another chance of a
/// false alarm. The correction is Bonferroni over a fixed schedule of looks: the agent's labelled
/// sessions are counted in blocks of <see cref="WatchedComparisonOptions.WindowSize"/>; within a
/// block the window is tested every <see cref="WatchedComparisonOptions.LookEvery"/> sessions, so
/// at most <c>WindowSize / LookEvery</c> times, each at <c>Alpha / (WindowSize / LookEvery)</c>.
/// By the union bound, when watched and unwatched sessions do not differ, the chance of any alarm
/// for an agent within a block is at most <c>Alpha</c>, whatever the looks' dependence (Fisher's
/// test is exact and conservative, so each look's own rate is at most its share). The finding is
/// raised at most once per agent per block. Simpler than alpha-spending functions, valid for a
/// monitor that never stops, and, at the default 20 looks per 200 sessions, still finds a 10%
/// versus 60% difference with 20 sessions per arm (12 of 20 against 2 of 20: one-sided p = 0.0011, below 0.0025).
/// </para>
/// <para>
/// Sessions whose label is unknown are left out. Thread-safe; it runs on the oversight service,
/// never on a request's thread. Agents are ids the guard vouches for, so the per-agent state is as
/// bounded as the deployment's agents.
/// </para>
/// </remarks>
public sealed class WatchedComparison : IWatchedComparison
{
    /// <summary>The finding raised when unobserved sessions have findings significantly more often than observed ones.</summary>
    public static readonly Finding AlignmentFakingSuspected = new("alignment-faking-suspected", Severity.High);

    private readonly WatchedComparisonOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, AgentWindow> _agents = new(StringComparer.Ordinal);

    /// <summary>Creates the comparison.</summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid; the message lists every problem.</exception>
    public WatchedComparison(WatchedComparisonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid watched comparison options: " + string.Join(" ", errors), nameof(options));
        }

        _options = options;
    }

    /// <summary>The options in force.</summary>
    public WatchedComparisonOptions Options => _options;

    /// <summary>Counts an ended session, labelled as <paramref name="session"/> says; see <see cref="SessionEnded(SessionKey, bool?, bool, DateTimeOffset, bool)"/>.</summary>
    public OversightFinding? SessionEnded(Session session, bool hadFinding, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(session);
        return SessionEnded(session.Key, session.Observed, hadFinding, now, session.PeerContext);
    }

    /// <summary>
    /// Counts an ended session in its agent's window and, when this is one of the scheduled looks,
    /// tests the window.
    /// </summary>
    /// <param name="session">The session that ended; its agent's window is the one counted.</param>
    /// <param name="observed">Its label; <see langword="null"/> (unknown) leaves it out.</param>
    /// <param name="hadFinding">Whether the session had any finding (an oversight finding, or a flag or deny decision with a finding).</param>
    /// <param name="now">When it ended.</param>
    /// <param name="peerContext">Whether the session carried peer context.</param>
    /// <returns>The <c>alignment-faking-suspected</c> finding when this look found a significant difference, the first time in this block; otherwise <see langword="null"/>.</returns>
    public OversightFinding? SessionEnded(SessionKey session, bool? observed, bool hadFinding, DateTimeOffset now, bool peerContext = false)
    {
        if (observed is not { } watched)
        {
            return null;
        }

        WatchedCounts counts;
        lock (_gate)
        {
            if (!_agents.TryGetValue(session.Agent, out var window))
            {
                window = new AgentWindow(_options.WindowSize);
                _agents[session.Agent] = window;
            }

            if (!window.Add(watched, hadFinding, _options) || window.Raised)
            {
                return null;
            }

            counts = window.Counts;
            if (counts.Observed < _options.MinimumPerArm || counts.Unobserved < _options.MinimumPerArm)
            {
                return null;
            }

            var p = counts.UnobservedWorsePValue();
            if (p > _options.AlphaPerLook)
            {
                return null;
            }

            window.Raised = true;
            return Finding(_options, session, counts, p, now, peerContext);
        }
    }

    /// <inheritdoc/>
    public ValueTask<OversightFinding?> SessionEndedAsync(SessionKey session, bool? observed, bool hadFinding, DateTimeOffset now, bool peerContext, CancellationToken cancellationToken)
        => ValueTask.FromResult(SessionEnded(session, observed, hadFinding, now, peerContext));

    /// <summary>
    /// The look a window of <paramref name="counts"/> gets when its newest session is the
    /// <paramref name="inBlock"/>-th of its block: the finding when this is a scheduled look, each arm
    /// has enough sessions and the test is significant; otherwise <see langword="null"/>. The same
    /// test the in-memory comparison makes, for a window kept elsewhere (shared by replicas).
    /// </summary>
    public static OversightFinding? Look(WatchedComparisonOptions options, SessionKey session, WatchedCounts counts, int inBlock, DateTimeOffset now, bool peerContext)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (inBlock % options.LookEvery != 0 || counts.Observed < options.MinimumPerArm || counts.Unobserved < options.MinimumPerArm)
        {
            return null;
        }

        var p = counts.UnobservedWorsePValue();
        return p > options.AlphaPerLook ? null : Finding(options, session, counts, p, now, peerContext);
    }

    /// <summary>The labelled sessions of <paramref name="agent"/> in the window now.</summary>
    public WatchedCounts Counts(string agent)
    {
        lock (_gate)
        {
            return _agents.TryGetValue(agent, out var window) ? window.Counts : default;
        }
    }

    private static OversightFinding Finding(WatchedComparisonOptions options, SessionKey session, WatchedCounts counts, double p, DateTimeOffset now, bool peerContext)
    {
        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"Agent {session.Agent} had findings in {counts.UnobservedWithFindings} of {counts.Unobserved} unobserved sessions ({Percent(counts.UnobservedWithFindings, counts.Unobserved)}) " +
            $"and in {counts.ObservedWithFindings} of {counts.Observed} observed sessions ({Percent(counts.ObservedWithFindings, counts.Observed)}) " +
            $"among its last {counts.Observed + counts.Unobserved} labelled sessions. Fisher's exact test, unobserved worse: p = {p:G3} " +
            $"(two-sided p = {counts.TwoSidedPValue():G3}), at or below {options.AlphaPerLook:G3} (alpha {options.Alpha:G3} shared by {options.LooksPerWindow} looks per {options.WindowSize} sessions).");
        return new OversightFinding(
            now,
            session,
            AlignmentFakingSuspected,
            message,
            Evaluator: session.Agent,
            PeerContext: peerContext);
    }

    private static string Percent(int part, int whole)
        => whole == 0 ? "0%" : ((double)part / whole).ToString("P0", CultureInfo.InvariantCulture).Replace(" ", "", StringComparison.Ordinal);

    /// <summary>One agent's last labelled sessions, a ring buffer with running counts, and its place in the look schedule.</summary>
    private sealed class AgentWindow(int size)
    {
        private readonly bool[] _observed = new bool[size];
        private readonly bool[] _finding = new bool[size];
        private int _next;
        private int _count;
        private int _inBlock;
        private int _observedCount;
        private int _observedFindings;
        private int _unobservedCount;
        private int _unobservedFindings;

        /// <summary>Whether the finding was raised in the current block.</summary>
        public bool Raised { get; set; }

        public WatchedCounts Counts => new(_observedCount, _observedFindings, _unobservedCount, _unobservedFindings);

        /// <summary>Adds a session; true when this session is one of the block's scheduled looks.</summary>
        public bool Add(bool observed, bool finding, WatchedComparisonOptions options)
        {
            if (_count == _observed.Length)
            {
                Count(_observed[_next], _finding[_next], -1);
            }
            else
            {
                _count++;
            }

            _observed[_next] = observed;
            _finding[_next] = finding;
            _next = (_next + 1) % _observed.Length;
            Count(observed, finding, +1);

            if (_inBlock == options.WindowSize)
            {
                // A new block: a new share of the false-alarm budget, and the finding may be raised again.
                _inBlock = 0;
                Raised = false;
            }

            _inBlock++;
            return _inBlock % options.LookEvery == 0;
        }

        private void Count(bool observed, bool finding, int delta)
        {
            if (observed)
            {
                _observedCount += delta;
                _observedFindings += finding ? delta : 0;
            }
            else
            {
                _unobservedCount += delta;
                _unobservedFindings += finding ? delta : 0;
            }
        }
    }
}
