namespace AgentGuard.Telemetry;

/// <summary>
/// Attribute names on the guard's spans: the OpenTelemetry GenAI and MCP semantic conventions where
/// they name the thing (development status, so spelled out here in one place), <c>agentguard.*</c>
/// for what only the guard knows.
/// </summary>
internal static class SpanAttributes
{
    /// <summary>The JSON-RPC method, e.g. <c>tools/call</c> (MCP semconv).</summary>
    public const string McpMethodName = "mcp.method.name";

    /// <summary>The <c>Mcp-Session-Id</c> header (MCP semconv).</summary>
    public const string McpSessionId = "mcp.session.id";

    /// <summary>The <c>MCP-Protocol-Version</c> header (MCP semconv).</summary>
    public const string McpProtocolVersion = "mcp.protocol.version";

    /// <summary>The resource of <c>resources/read</c> and (un)subscribe (MCP semconv).</summary>
    public const string McpResourceUri = "mcp.resource.uri";

    /// <summary>The JSON-RPC request id, as a string (MCP semconv).</summary>
    public const string JsonRpcRequestId = "jsonrpc.request.id";

    /// <summary>The tool of a <c>tools/call</c>, as the agent spelled it (GenAI semconv).</summary>
    public const string GenAiToolName = "gen_ai.tool.name";

    /// <summary><c>execute_tool</c> for a <c>tools/call</c> (GenAI semconv).</summary>
    public const string GenAiOperationName = "gen_ai.operation.name";

    /// <summary>The class of error a failed operation ended with (general semconv); set only when the guard itself failed.</summary>
    public const string ErrorType = "error.type";

    /// <summary>allow, flag or deny: what took effect.</summary>
    public const string Decision = "agentguard.decision";

    /// <summary>The rule that decided (<c>default</c>, <c>strict-mode</c>, <c>inspection</c> when no rule did).</summary>
    public const string Rule = "agentguard.rule";

    /// <summary>The finding category, when the decision carried one.</summary>
    public const string Finding = "agentguard.finding";

    /// <summary>The finding's severity, when the decision carried one.</summary>
    public const string Severity = "agentguard.finding.severity";

    /// <summary>The audit reference: the id of the decision's audit record (and what a denied agent is shown).</summary>
    public const string AuditReference = "agentguard.audit.ref";

    /// <summary>The version of the policy that decided.</summary>
    public const string PolicyVersion = "agentguard.policy.version";

    /// <summary>Why a request could not be inspected (the <c>reason</c> of <c>agentguard_inspection_failures_total</c>).</summary>
    public const string InspectionFailure = "agentguard.inspection.failure";

    /// <summary>How many messages a JSON-RPC batch held (on the request span of a batch only).</summary>
    public const string BatchSize = "agentguard.batch.size";
}
