using AgentGuard.Audit;
using AgentGuard.Policy;
using AgentGuard.Protocols;
using AgentGuard.Sessions;
using AgentGuard.Telemetry;

namespace AgentGuard.Proxy;

/// <summary>
/// Step 4 of the flow: a decision for every message of a request, under the policy in force, each
/// logged. A failure while deciding denies the message, never lets it through undecided.
/// </summary>
/// <remarks>Logs under the middleware's category, which operators filter decisions by.</remarks>
internal sealed class CallDecider(PolicyStore policies, SessionMetrics metrics, TimeProvider timeProvider, ILogger<McpInspectionMiddleware> logger, ObserveOnly? observe = null)
{
    public DecisionRecord[] Decide(CallIdentity identity, McpMessage[] messages, out int denied)
    {
        var policy = policies.Current;
        var agent = identity.Agent;
        var session = identity.Session.Key.Id;
        var now = timeProvider.GetUtcNow();
        var records = new DecisionRecord[messages.Length];
        denied = 0;
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            var call = new ToolCall(
                agent,
                session,
                "mcp",
                message.Method,
                message.Method == McpMethods.ToolsCall ? message.Name : null,
                message.Arguments,
                message.NameIsResource ? message.Name : null);

            records[i] = Decide(policy, identity, call, effects: null, now);
            if (records[i].Decision.IsDenied)
            {
                denied++;
            }
        }

        return records;
    }

    /// <summary>Decides one call whose effects were decoded outside the policy's tool mappings (an S3 request), logged and with its lineage recorded.</summary>
    public DecisionRecord Decide(CallIdentity identity, ToolCall call, List<Effects.Effect> effects)
        => Decide(policies.Current, identity, call, effects, timeProvider.GetUtcNow());

    private DecisionRecord Decide(PolicySet policy, CallIdentity identity, ToolCall call, List<Effects.Effect>? effects, DateTimeOffset now)
    {
        Decision decision;
        try
        {
            var lineage = identity.Session.Lineage;
            decision = effects is null ? PolicyEngine.Decide(policy, call, lineage) : PolicyEngine.Decide(policy, call, effects, lineage);
        }
        catch (Exception ex)
        {
            // A bug or a bad policy must not let a call through undecided.
            McpInspectionMiddleware.LogDecisionFailed(logger, ex, call.Agent.Id, call.Method, call.Tool);
            decision = Decision.InspectionFailure("the guard failed while deciding");
        }

        if (observe is not null && decision.IsDenied && decision.RuleId != Decision.InspectionRuleId)
        {
            // A trial measures behaviour: the denial is recorded as would-deny and the call goes on,
            // with the lineage it creates (a renamed copy of weights is weights in the next call).
            decision = PolicyEngine.CarryAsForwarded(policy, decision, identity.Session.Lineage) with { Kind = DecisionKind.Flag, WouldDeny = true };
        }

        var reference = AuditReference.Create();
        if (decision.Carried is { } carried)
        {
            decision = decision with { Carried = Remember(identity.Session.Lineage, carried, reference, now) };
        }

        var record = new DecisionRecord(now, call, decision, reference, policy.Version);
        Log(record);
        return record;
    }

    /// <summary>
    /// Records the lineage an allowed call creates, stamped with its reference, before the call is
    /// forwarded: the session's next call already sees the copy as what it copied.
    /// </summary>
    private LineageEntry[] Remember(ILineage lineage, IReadOnlyList<LineageEntry> carried, string reference, DateTimeOffset now)
    {
        var stamped = new LineageEntry[carried.Count];
        for (var i = 0; i < stamped.Length; i++)
        {
            stamped[i] = carried[i] with { Reference = reference, Time = now };
            if (lineage.TryAdd(stamped[i]))
            {
                metrics.LineageRecorded(stamped[i].How);
            }
        }

        return stamped;
    }

    private void Log(DecisionRecord record)
    {
        var (call, decision, reference, policyVersion) = (record.Call, record.Decision, record.Reference, record.PolicyVersion);
        var finding = decision.Finding?.Category ?? "none";
        var severity = decision.Finding?.Severity.ToString().ToLowerInvariant() ?? "none";
        switch (decision.Kind)
        {
            case DecisionKind.Deny:
                McpInspectionMiddleware.LogDenied(logger, call.Agent.Id, call.Agent.Role, call.Method, call.Tool, decision.RuleId, finding, severity, reference, policyVersion, decision.Message);
                break;
            case DecisionKind.Hold:
                // Logged by the hold step, when held and when decided.
                break;
            // An allowed call with a finding (a canary touched) is logged as flagged: a reviewer must see it.
            case DecisionKind.Flag:
            case DecisionKind.Allow when decision.Finding is not null:
                McpInspectionMiddleware.LogFlagged(logger, call.Agent.Id, call.Agent.Role, call.Method, call.Tool, decision.RuleId, finding, severity, policyVersion, decision.Message);
                break;
            default:
                McpInspectionMiddleware.LogAllowed(logger, call.Agent.Id, call.Method, call.Tool, decision.RuleId, policyVersion);
                break;
        }
    }
}
