namespace AgentGuard.Proxy;

/// <summary>
/// Present in a guard's services only when <c>agentguard trial</c> starts it without <c>--enforce</c>:
/// policy denials are recorded as <c>would-deny</c> and the calls forwarded, so that a trial measures
/// what the agent does. Never set by configuration: <c>agentguard run</c> always enforces.
/// </summary>
internal sealed class ObserveOnly;
