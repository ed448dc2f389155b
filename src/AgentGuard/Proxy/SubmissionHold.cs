using AgentGuard.Audit;
using AgentGuard.Oversight;
using AgentGuard.Policy;
using AgentGuard.Protocols;
using AgentGuard.Sessions;

namespace AgentGuard.Proxy;

/// <summary>
/// Between decide and record, for evaluations the policy marks <c>mode: sync</c> only: a submission
/// is held until oversight has re-scored it, and denied when the re-score diverges (so an inflated
/// report never lands). The re-score is bounded by the evaluation's timeout; past it the evaluation
/// is <c>unverified</c> and the submission goes on. Opt-in because it is detectable: an agent whose
/// submission waits, or is refused, learns that it is checked.
/// </summary>
internal sealed class SubmissionHold(PolicyStore policies, IOversightSink sink, SessionContext sessions)
{
    /// <summary>The rule id of a submission denied after its re-score.</summary>
    public const string RuleId = "oversight-hold";

    /// <summary>Whether any message of the request is a submission to hold (cheap: no sync evaluation, no hold).</summary>
    public bool Applies(CallIdentity identity, McpMessage[] messages, DecisionRecord[] records)
    {
        var oversight = policies.Current.Oversight;
        if (!oversight.HasSyncEvaluations || sink is not OversightService)
        {
            return false;
        }

        for (var i = 0; i < messages.Length; i++)
        {
            if (Holds(oversight, identity, messages[i], records[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Re-scores each held submission now; returns how many it denied (their records are replaced).</summary>
    public async ValueTask<int> HoldAsync(CallIdentity identity, McpMessage[] messages, DecisionRecord[] records, CancellationToken cancellationToken)
    {
        var oversight = policies.Current.Oversight;
        var service = (OversightService)sink;
        var denied = 0;
        for (var i = 0; i < messages.Length; i++)
        {
            var record = records[i];
            if (!Holds(oversight, identity, messages[i], record))
            {
                continue;
            }

            var call = new SessionCall(record.Time, messages[i].Name!, sessions.Arguments(messages[i].Arguments), record.Decision.Kind, record.Reference);
            var findings = await service.CheckNowAsync(identity.Session, call, cancellationToken);
            if (Divergence(findings) is { } divergence)
            {
                records[i] = record with
                {
                    Decision = new Decision(DecisionKind.Deny, RuleId, divergence.Finding, divergence.Message, record.Decision.Effects),
                };
                denied++;
            }
        }

        return denied;
    }

    private static bool Holds(OversightPolicy oversight, CallIdentity identity, McpMessage message, DecisionRecord record)
    {
        if (record.Decision.IsDenied || message.Method != McpMethods.ToolsCall || message.Kind != McpMessageKind.Request || message.Name is null)
        {
            return false;
        }

        foreach (var evaluation in oversight.Evaluations)
        {
            if (evaluation.Mode == EvaluationMode.Sync && evaluation.IsSubmissionTool(message.Name) && evaluation.AppliesTo(identity.Agent.Id, identity.Agent.Role))
            {
                return true;
            }
        }

        return false;
    }

    private static OversightFinding? Divergence(IReadOnlyList<OversightFinding> findings)
    {
        OversightFinding? found = null;
        foreach (var finding in findings)
        {
            if (finding.Finding.Category == OversightFindings.ScoreDivergence.Category
                && (found is null || finding.Finding.Severity > found.Finding.Severity))
            {
                found = finding;
            }
        }

        return found;
    }
}
