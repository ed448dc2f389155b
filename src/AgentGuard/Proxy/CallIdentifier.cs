using System.Text;
using AgentGuard.Sessions;
using AgentGuard.Telemetry;
using Microsoft.Extensions.Options;

namespace AgentGuard.Proxy;

/// <summary>
/// Step 1 of the flow: the agent (fixed by this sidecar's configuration) and the session of a
/// request. The session id is the <c>Mcp-Session-Id</c> when there is one; else the orchestrator's
/// session header when the guard trusts it (signed with the key, or the deployment vouches the
/// agent cannot set it); else the agent's calls cut by an idle gap. The orchestrator's headers are
/// removed before the tool server sees the request, trusted or not.
/// </summary>
internal sealed partial class CallIdentifier
{
    private const string McpSessionHeader = "Mcp-Session-Id";

    private readonly IOptionsMonitor<GuardOptions> _options;
    private readonly ISessionStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly SessionMetrics _metrics;
    private readonly ILogger<CallIdentifier> _logger;
    private readonly string? _sessionHeader;
    private readonly string? _observedHeader;
    private readonly bool _headerTrusted;
    private readonly SessionHeaderSignature? _signature;
    private readonly IdleGapSessions _idleGaps;
    private ConfiguredAgent _agent;

    public CallIdentifier(IOptionsMonitor<GuardOptions> options, ISessionStore store, IdleGapSessions idleGaps, TimeProvider timeProvider, SessionMetrics metrics, ILogger<CallIdentifier> logger)
    {
        _options = options;
        _store = store;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _logger = logger;
        var sessions = options.CurrentValue.Sessions;
        _sessionHeader = string.IsNullOrWhiteSpace(sessions.Header) ? null : sessions.Header.Trim();
        _observedHeader = string.IsNullOrWhiteSpace(sessions.ObservedHeader) ? null : sessions.ObservedHeader.Trim();
        _headerTrusted = sessions.HeaderTrusted;
        var key = sessions.SigningKeyFile is { } file ? File.ReadAllText(file).Trim() : sessions.SigningKey?.Trim();
        _signature = string.IsNullOrEmpty(key) ? null : new SessionHeaderSignature(Encoding.UTF8.GetBytes(key), sessions.MaxHeaderAge);
        _idleGaps = idleGaps;
        var agent = options.CurrentValue.Agent;
        _agent = new ConfiguredAgent(agent, new Agent(agent.Id, agent.Role));
    }

    /// <summary>The agent this sidecar vouches for.</summary>
    public Agent Agent
    {
        get
        {
            var configured = _options.CurrentValue.Agent;
            var current = Volatile.Read(ref _agent);
            if (ReferenceEquals(current.Options, configured))
            {
                return current.Agent;
            }

            current = new ConfiguredAgent(configured, new Agent(configured.Id, configured.Role));
            Volatile.Write(ref _agent, current);
            return current.Agent;
        }
    }

    /// <summary>The agent of <paramref name="context"/>: the one its credential names in gateway mode, else this sidecar's.</summary>
    public Agent AgentOf(HttpContext context) => context.Features.Get<AuthenticatedAgent>()?.Agent ?? Agent;

    /// <summary>The agent and session of the request, its session touched (or started) now; the orchestrator's headers are gone from the request.</summary>
    public CallIdentity Identify(HttpContext context) => Identify(context, mcpSession: true);

    /// <summary>As <see cref="Identify(HttpContext)"/>; <paramref name="mcpSession"/> false for protocols without <c>Mcp-Session-Id</c> (S3), where the header would be the agent's word alone.</summary>
    public CallIdentity Identify(HttpContext context, bool mcpSession)
    {
        var agent = AgentOf(context);
        var now = _timeProvider.GetUtcNow();
        var headers = context.Request.Headers;
        string? orchestratorId = null;
        string? observedValue = null;
        if (_sessionHeader is not null && headers.TryGetValue(_sessionHeader, out var sessionValue))
        {
            headers.Remove(_sessionHeader);
            orchestratorId = Trusted(sessionValue.ToString(), observedHeader: false, agent.Id, now);
        }

        if (_observedHeader is not null && headers.TryGetValue(_observedHeader, out var observedRaw))
        {
            headers.Remove(_observedHeader);
            observedValue = Trusted(observedRaw.ToString(), observedHeader: true, agent.Id, now);
        }

        var id = mcpSession ? headers[McpSessionHeader].ToString() : string.Empty;
        if (id.Length == 0)
        {
            id = orchestratorId ?? _idleGaps.Current(agent.Id, now);
        }

        var session = _store.GetOrStart(new SessionKey(agent.Id, id), now);
        if (observedValue is not null && Observed(observedValue, id, agent.Id) is { } isObserved)
        {
            session.Observed = isObserved;
        }

        return new CallIdentity(agent, session);
    }

    /// <summary>The session an MCP DELETE ends: its <c>Mcp-Session-Id</c>, for the request's agent.</summary>
    public SessionKey McpSession(HttpContext context) => new(AgentOf(context).Id, context.Request.Headers[McpSessionHeader].ToString());

    /// <summary>Removes the orchestrator's headers from a request the guard forwards without identifying a call in it.</summary>
    public void RemoveOrchestratorHeaders(HttpContext context)
    {
        if (_sessionHeader is not null)
        {
            context.Request.Headers.Remove(_sessionHeader);
        }

        if (_observedHeader is not null)
        {
            context.Request.Headers.Remove(_observedHeader);
        }
    }

    /// <summary>
    /// The label an observed header's value (<c>&lt;session-id&gt;:true</c> or <c>:false</c>) gives the
    /// session <paramref name="id"/>: bound to its session, so a signed label cannot be replayed into another run.
    /// </summary>
    private bool? Observed(string value, string id, string agentId)
    {
        var colon = value.LastIndexOf(':');
        if (colon < 0 || !bool.TryParse(value.AsSpan(colon + 1), out var watched))
        {
            return null;
        }

        if (!value.AsSpan(0, colon).SequenceEqual(id))
        {
            _metrics.Untrusted(observedHeader: true, SessionHeaderCheck.OtherSession);
            LogUntrusted(_logger, _observedHeader!, agentId, SessionHeaderCheck.OtherSession);
            return null;
        }

        return watched;
    }

    /// <summary>The header's value when the guard trusts it, else <see langword="null"/> (counted and logged).</summary>
    private string? Trusted(string header, bool observedHeader, string agentId, DateTimeOffset now)
    {
        var check = SessionHeaderCheck.Unsigned;
        if (_signature is not null)
        {
            check = _signature.Check(header, now, out var value);
            if (check == SessionHeaderCheck.Trusted)
            {
                return value;
            }
        }

        if (_headerTrusted)
        {
            return header.Length == 0 ? null : header;
        }

        _metrics.Untrusted(observedHeader, check);
        LogUntrusted(_logger, observedHeader ? _observedHeader! : _sessionHeader!, agentId, check);
        return null;
    }

    /// <summary>The agent built from the options instance in force (a reload brings a new instance).</summary>
    private sealed record ConfiguredAgent(AgentOptions Options, Agent Agent);

    [LoggerMessage(1103, LogLevel.Warning, "Ignored the {Header} header on a request of agent {AgentId}: {Check}; only a signed, recent value is trusted")]
    private static partial void LogUntrusted(ILogger logger, string header, string agentId, SessionHeaderCheck check);
}
