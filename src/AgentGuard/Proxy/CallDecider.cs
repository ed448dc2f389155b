using AgentGuard.Audit;
using AgentGuard.Policy;
using AgentGuard.Protocols;

namespace AgentGuard.Proxy;

/// <summary>
/// Step 4 of the flow: a decision for every message of a request, under the policy in force, each
/// logged. A failure while deciding denies the message, never lets it through undecided.
/// </summary>
/// <remarks>Logs under the middleware's category, which operators filter decisions by.</remarks>
internal sealed class CallDecider(PolicyStore policies, TimeProvider timeProvider, ILogger<McpInspectionMiddleware> logger)
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

            Decision decision;
            try
            {
                decision = PolicyEngine.Decide(policy, call);
            }
            catch (Exception ex)
            {
                // A bug or a bad policy must not let a call through undecided.
                McpInspectionMiddleware.LogDecisionFailed(logger, ex, agent.Id, call.Method, call.Tool);
                decision = Decision.InspectionFailure("the guard failed while deciding");
            }

            if (decision.IsDenied)
            {
                denied++;
            }

            records[i] = new DecisionRecord(now, call, decision, AuditReference.Create(), policy.Version);
            Log(records[i]);
        }

        return records;
    }

    /// <summary>A decision for one call whose effects were decoded outside the policy's tool mappings (an S3 request), logged.</summary>
    public DecisionRecord Decide(ToolCall call, List<Effects.Effect> effects)
    {
        var policy = policies.Current;
        Decision decision;
        try
        {
            decision = PolicyEngine.Decide(policy, call, effects);
        }
        catch (Exception ex)
        {
            McpInspectionMiddleware.LogDecisionFailed(logger, ex, call.Agent.Id, call.Method, call.Tool);
            decision = Decision.InspectionFailure("the guard failed while deciding");
        }

        var record = new DecisionRecord(timeProvider.GetUtcNow(), call, decision, AuditReference.Create(), policy.Version);
        Log(record);
        return record;
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
            case DecisionKind.Flag:
                McpInspectionMiddleware.LogFlagged(logger, call.Agent.Id, call.Agent.Role, call.Method, call.Tool, decision.RuleId, finding, severity, policyVersion, decision.Message);
                break;
            default:
                McpInspectionMiddleware.LogAllowed(logger, call.Agent.Id, call.Method, call.Tool, decision.RuleId, policyVersion);
                break;
        }
    }
}
