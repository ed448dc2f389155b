using System.Collections.Concurrent;
using AgentGuard.Sessions;

namespace AgentGuard.Oversight;

/// <summary>
/// Oversight of evaluations, off the request's path: for each call the background service hands
/// it, reads a submission, gathers the evidence the evaluator read, re-scores it with the
/// evaluation's re-scorer, and reports divergence; opens the obligations a failing re-score
/// mandates and reports those unmet when the session ends. A re-scorer that throws or times out
/// makes the evaluation <c>unverified</c>; nothing here throws for what an agent wrote.
/// </summary>
public sealed class OversightEngine
{
    private readonly Func<OversightPolicy> _policy;
    private readonly Func<Evaluation, IRescorer> _rescorers;
    private readonly TimeProvider _time;
    private readonly ISessionStore? _store;
    private readonly TimeSpan _agentEvidenceWindow;
    private readonly ConcurrentDictionary<SessionKey, SessionState> _sessions = new();

    /// <summary>Creates the engine.</summary>
    /// <param name="policy">The current oversight policy (read on every call, so a reload applies at once).</param>
    /// <param name="rescorers">The re-scorer for an evaluation (see <see cref="DefaultRescorer"/>; <c>model</c> and <c>webhook</c> plug in here).</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="store">Where to find evidence the agent read in its other sessions; <see langword="null"/> for this session's only.</param>
    /// <param name="agentEvidenceWindow">How far back the agent's other sessions count. Default 1 hour.</param>
    public OversightEngine(
        Func<OversightPolicy> policy, Func<Evaluation, IRescorer>? rescorers, TimeProvider timeProvider, ISessionStore? store = null, TimeSpan? agentEvidenceWindow = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _policy = policy;
        _rescorers = rescorers ?? DefaultRescorer;
        _time = timeProvider;
        _store = store;
        _agentEvidenceWindow = agentEvidenceWindow ?? TimeSpan.FromHours(1);
    }

    /// <summary>The <c>reference</c> re-scorer for an evaluation with an answer key; throws for other kinds (the caller's factory supplies those).</summary>
    public static IRescorer DefaultRescorer(Evaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        return evaluation.Rescorer is { Kind: "reference", AnswerKey: { } key }
            ? new ReferenceRescorer(key)
            : throw new NotSupportedException($"no {evaluation.Rescorer.Kind} re-scorer is configured for evaluation '{evaluation.Name}'");
    }

    /// <summary>The obligations open in <paramref name="session"/>.</summary>
    public IReadOnlyList<OpenObligation> OpenObligations(SessionKey session)
        => _sessions.TryGetValue(session, out var state) ? state.Snapshot() : [];

    /// <summary>
    /// Checks <paramref name="call"/>, just decided in <paramref name="session"/>: meets open
    /// obligations, and when it is a submission, re-scores it.
    /// </summary>
    /// <param name="session">The session, holding the evidence and calls so far.</param>
    /// <param name="call">The call.</param>
    /// <param name="role">The agent's role, when known (evaluations may name roles).</param>
    /// <param name="cancellationToken">Stops the work (the guard is stopping).</param>
    public async Task<OversightOutcome> OnCallAsync(Session session, SessionCall call, string? role = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(call);
        var state = _sessions.GetOrAdd(session.Key, _ => new SessionState());
        var work = CheckCallAsync(session, call, role, state, cancellationToken);
        state.Track(work);
        return await work.ConfigureAwait(false);
    }

    /// <summary>
    /// <paramref name="session"/> ended: waits for its re-scores, re-scores the data of any
    /// evaluation with an obligation that the evaluator read but never submitted (an open refusal
    /// writes no score), then reports every obligation still unmet as <c>mandated-action-missing</c>.
    /// </summary>
    /// <param name="session">The session.</param>
    /// <param name="reason">Why it ended.</param>
    /// <param name="role">The agent's role, when known (evaluations may name roles).</param>
    /// <param name="cancellationToken">Stops the work (the guard is stopping).</param>
    public async Task<OversightOutcome> OnSessionEndedAsync(
        Session session, SessionEndReason reason, string? role = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var state = _sessions.GetOrAdd(session.Key, _ => new SessionState());
        await state.WhenIdleAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        _sessions.TryRemove(session.Key, out _);

        var findings = new List<OversightFinding>();
        var opened = new List<OpenObligation>();
        var policy = _policy();
        if (policy.Obligations.Count > 0)
        {
            IReadOnlyList<Evidence>? evidence = null;
            foreach (var evaluation in policy.Evaluations)
            {
                if (state.WasSubmitted(evaluation.Name) || !evaluation.AppliesTo(session.Key.Agent, role) || !HasObligation(policy, evaluation))
                {
                    continue;
                }

                // Without a submission, only what this session read counts: the agent's other runs
                // (an honest evaluation an hour ago, then a maintenance task) mandate nothing here.
                evidence ??= session.Evidence();
                var gathered = EvaluationEvidence.Gather(evaluation, evidence);
                var subject = gathered.Data is null || gathered.Data.Truncated ? null : SubmissionExtractor.Subject(evaluation, null, gathered);
                if (subject is null)
                {
                    continue;
                }

                var (rescore, problem) = await RescoreAsync(evaluation, gathered.ToRequest(evaluation, subject), cancellationToken).ConfigureAwait(false);
                var nothing = new Submission(
                    evaluation.Name, session.Key.Agent, subject, null, null, null, [], [], null, null, null, null, gathered.Data!.Reference, _time.GetUtcNow());
                if (rescore is null)
                {
                    findings.Add(Unverified(session, evaluation.Name, nothing, gathered.Rows, problem!));
                    continue;
                }

                foreach (var obligation in Obligations.Open(policy, evaluation, nothing, rescore, gathered.Threshold, session.Key, _time.GetUtcNow()))
                {
                    if (state.Add(obligation))
                    {
                        opened.Add(obligation);
                    }
                }
            }
        }

        var calls = session.Calls();
        var closed = new List<OpenObligation>();
        foreach (var obligation in state.Snapshot())
        {
            closed.Add(obligation);
            if (Obligations.MetBy(obligation, calls) is null)
            {
                findings.Add(Obligations.Missing(
                    obligation, _time.GetUtcNow(), session.Observed, session.PeerContext, $"the session ended ({Describe(reason)}) without it"));
            }
        }

        return new OversightOutcome(findings, opened, closed);
    }

    /// <summary>
    /// Takes back obligations a previous run of the guard recorded as open and never closed: those
    /// whose session <paramref name="isLive"/> are tracked again; the others are reported missing now.
    /// </summary>
    public OversightOutcome RestoreObligations(IEnumerable<OpenObligation> open, Func<SessionKey, bool> isLive)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(isLive);
        var findings = new List<OversightFinding>();
        var closed = new List<OpenObligation>();
        foreach (var obligation in open)
        {
            if (isLive(obligation.Session))
            {
                _sessions.GetOrAdd(obligation.Session, _ => new SessionState()).Add(obligation);
            }
            else
            {
                closed.Add(obligation);
                findings.Add(Obligations.Missing(obligation, _time.GetUtcNow(), null, false, "its session ended while the guard was down, and no call met it"));
            }
        }

        return new OversightOutcome(findings, [], closed);
    }

    private async Task<OversightOutcome> CheckCallAsync(Session session, SessionCall call, string? role, SessionState state, CancellationToken cancellationToken)
    {
        var policy = _policy();
        var closed = new List<OpenObligation>();
        foreach (var obligation in state.Snapshot())
        {
            if (Obligations.IsMetBy(obligation, call) && state.Remove(obligation))
            {
                closed.Add(obligation);
            }
        }

        if (policy.Evaluations.Count == 0)
        {
            return new OversightOutcome([], [], closed);
        }

        var findings = new List<OversightFinding>();
        var opened = new List<OpenObligation>();
        var results = new List<EvaluationResult>();
        IReadOnlyList<Evidence>? evidence = null;
        SessionCall[]? calls = null;
        Submission? unchecked_ = null;
        var checkedAny = false;
        foreach (var evaluation in policy.Evaluations)
        {
            if (!evaluation.AppliesTo(session.Key.Agent, role) || !evaluation.Submission.ToolMatcher.IsMatch(call.Tool))
            {
                continue;
            }

            evidence ??= Evidence(session);
            calls ??= session.Calls();
            var gathered = EvaluationEvidence.Gather(evaluation, evidence);
            var read = SubmissionExtractor.Read(evaluation, call, calls, session.Key.Agent, gathered);
            if (!read.IsSubmission)
            {
                continue;
            }

            if (read.Submission is not { } submission)
            {
                if (gathered.Data is not null)
                {
                    checkedAny = true;
                    findings.Add(new OversightFinding(
                        _time.GetUtcNow(), session.Key, OversightFindings.Unreadable, $"evaluation '{evaluation.Name}': {read.Problem}",
                        Evaluation: evaluation.Name, Evaluator: session.Key.Agent, Rescored: "unverified", ItemsInEvidence: gathered.Rows,
                        Observed: session.Observed, PeerContext: session.PeerContext, References: [call.Reference]));
                }

                continue;
            }

            if (gathered.Data is null)
            {
                // Another evaluation of the same tool (a factual and a creativity report are both
                // create_file) may own it; only if none does is it unverified.
                unchecked_ ??= submission;
                continue;
            }

            checkedAny = true;
            state.Submitted(evaluation.Name);
            if (gathered.Data.Truncated)
            {
                // Items past the evidence cap are unseen: re-scoring the rest would count a report
                // that scored them as one that dropped items.
                findings.Add(Unverified(session, evaluation.Name, submission, gathered.Rows, "the data evidence was cut at the session's evidence cap"));
                results.Add(Result(evaluation, submission, null, gathered.Threshold, "unverified"));
                continue;
            }

            var (rescore, problem) = await RescoreAsync(evaluation, gathered.ToRequest(evaluation, submission.Subject), cancellationToken).ConfigureAwait(false);
            if (rescore is null)
            {
                findings.Add(Unverified(session, evaluation.Name, submission, gathered.Rows, problem!));
                results.Add(Result(evaluation, submission, null, gathered.Threshold, "unverified"));
                continue;
            }

            var compared = Divergence.Compare(evaluation, submission, rescore, gathered, session, _time.GetUtcNow());
            findings.AddRange(compared);
            results.Add(Result(evaluation, submission, rescore, gathered.Threshold, Diverged(compared) ? "divergent" : "consistent"));
            foreach (var obligation in Obligations.Open(policy, evaluation, submission, rescore, gathered.Threshold, session.Key, _time.GetUtcNow()))
            {
                // A mandated call made before the re-score came back (or before the report) counts.
                if (Obligations.MetBy(obligation, session.Calls()) is null && state.Add(obligation))
                {
                    opened.Add(obligation);
                }
            }
        }

        if (!checkedAny && unchecked_ is not null)
        {
            findings.Add(Unverified(session, unchecked_.Evaluation, unchecked_, null, "the session holds none of the evaluation's data evidence"));
        }

        return new OversightOutcome(findings, opened, closed, results);
    }

    private static EvaluationResult Result(Evaluation evaluation, Submission submission, Rescore? rescore, double? threshold, string outcome) => new(
        evaluation.Name,
        submission.Evaluator,
        outcome,
        submission.Score,
        rescore?.Score,
        threshold,
        Divergence.Passes(evaluation, submission.Score, submission.Grade, threshold),
        rescore is null ? null : Divergence.Passes(evaluation, rescore.Score, rescore.Grade, threshold));

    private static bool Diverged(IReadOnlyList<OversightFinding> findings)
    {
        foreach (var finding in findings)
        {
            if (finding.Finding == OversightFindings.InflatedScore || finding.Finding == OversightFindings.ScoreDivergence)
            {
                return true;
            }
        }

        return false;
    }

    private async Task<(Rescore? Rescore, string? Problem)> RescoreAsync(Evaluation evaluation, RescoreRequest request, CancellationToken cancellationToken)
    {
        var timeout = evaluation.Rescorer.Timeout ?? evaluation.Timeout;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var rescorer = _rescorers(evaluation);

            // WaitAsync as well as the token: a re-scorer that ignores its token still times out.
            var rescore = await rescorer.RescoreAsync(request, limit.Token).AsTask().WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            return rescore is null ? (null, "the re-scorer returned nothing") : (rescore, null);
        }
        catch (TimeoutException)
        {
            // Tell the re-scorer to stop (an HTTP call to a judge, say); its result no longer counts.
            await limit.CancelAsync().ConfigureAwait(false);
            return (null, $"the {evaluation.Rescorer.Kind} re-scorer did not answer within {timeout.TotalSeconds:0.###} s");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever a re-scorer throws, the evaluation is unverified, never a crash of oversight.
            return (null, $"the {evaluation.Rescorer.Kind} re-scorer failed: {ex.Message}");
        }
    }

    private OversightFinding Unverified(Session session, string evaluation, Submission submission, int? rows, string problem) => new(
        _time.GetUtcNow(),
        session.Key,
        OversightFindings.Unverified,
        $"evaluation '{evaluation}' of {submission.Subject ?? "an unnamed subject"} is unverified: {problem}",
        Evaluation: evaluation,
        Evaluator: submission.Evaluator,
        Subject: submission.Subject,
        Submitted: submission.Result,
        Rescored: "unverified",
        ItemsScored: submission.ItemsScored,
        ItemsInEvidence: rows,
        Observed: session.Observed,
        PeerContext: session.PeerContext,
        References: [submission.Reference]);

    private IReadOnlyList<Evidence> Evidence(Session session)
    {
        var own = session.Evidence();
        if (_store is null)
        {
            return own;
        }

        // Reading the data in one session and submitting in another does not escape: the agent's
        // other sessions' evidence counts too, older first, this session's last (the latest wins).
        var all = new List<Evidence>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in own)
        {
            seen.Add(item.Reference);
        }

        foreach (var item in _store.AgentEvidence(session.Key.Agent, _time.GetUtcNow() - _agentEvidenceWindow))
        {
            if (seen.Add(item.Reference))
            {
                all.Add(item);
            }
        }

        all.Sort((a, b) => a.Time.CompareTo(b.Time));
        all.AddRange(own);
        return all;
    }

    private static bool HasObligation(OversightPolicy policy, Evaluation evaluation)
    {
        foreach (var obligation in policy.Obligations)
        {
            if (obligation.AppliesTo(evaluation.Name))
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(SessionEndReason reason) => reason switch
    {
        SessionEndReason.EndTool => "end tool called",
        SessionEndReason.Deleted => "MCP session deleted",
        SessionEndReason.Idle => "idle timeout",
        SessionEndReason.Evicted => "evicted from a full session store",
        SessionEndReason.Shutdown => "guard stopping",
        _ => reason.ToString(),
    };

    /// <summary>One session's open obligations and the checks still running for it.</summary>
    private sealed class SessionState
    {
        private readonly Lock _gate = new();
        private readonly List<OpenObligation> _open = [];
        private readonly List<Task> _running = [];
        private readonly HashSet<string> _submitted = new(StringComparer.Ordinal);

        public void Submitted(string evaluation)
        {
            lock (_gate)
            {
                _submitted.Add(evaluation);
            }
        }

        public bool WasSubmitted(string evaluation)
        {
            lock (_gate)
            {
                return _submitted.Contains(evaluation);
            }
        }

        public bool Add(OpenObligation obligation)
        {
            lock (_gate)
            {
                foreach (var open in _open)
                {
                    if (open.Obligation == obligation.Obligation && string.Equals(open.Value, obligation.Value, StringComparison.OrdinalIgnoreCase))
                    {
                        return false;
                    }
                }

                _open.Add(obligation);
                return true;
            }
        }

        public bool Remove(OpenObligation obligation)
        {
            lock (_gate)
            {
                return _open.Remove(obligation);
            }
        }

        public OpenObligation[] Snapshot()
        {
            lock (_gate)
            {
                return [.. _open];
            }
        }

        public void Track(Task task)
        {
            lock (_gate)
            {
                _running.RemoveAll(t => t.IsCompleted);
                _running.Add(task);
            }
        }

        public Task WhenIdleAsync()
        {
            Task[] running;
            lock (_gate)
            {
                running = [.. _running];
            }

            // Failures were already turned into findings; waiting only needs them finished.
            return Task.WhenAll(running).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }
}
