using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Text.Json;
using AgentGuard.Audit;
using AgentGuard.Oversight;
using AgentGuard.Policy;
using AgentGuard.Protocols;
using AgentGuard.Sessions;
using Microsoft.Extensions.Options;

namespace AgentGuard.Proxy;

/// <summary>
/// The session side of a decided request (the flow's context step): each decided <c>tools/call</c>
/// goes to oversight, denied ones too (a refused shutdown still counts as not done), and joins its
/// session when oversight may read it back; the forwarded calls and reads whose results are evidence are named for the response path;
/// a forwarded end tool ends the session once its answer is through.
/// </summary>
internal sealed class SessionContext
{
    private readonly IOversightSink _sink;
    private readonly SessionEnds _ends;
    private readonly ILogger<SessionEnds> _logger;
    private readonly FrozenSet<string> _endTools;
    private readonly AuditRedactor _redactor;
    private readonly PolicyStore _policies;

    public SessionContext(IOptionsMonitor<GuardOptions> options, IOversightSink sink, SessionEnds ends, PolicyStore policies, ILogger<SessionEnds> logger)
    {
        _sink = sink;
        _policies = policies;
        _ends = ends;
        _logger = logger;
        _endTools = options.CurrentValue.Sessions.EndTools.ToFrozenSet(StringComparer.Ordinal);
        _redactor = new AuditRedactor(options.CurrentValue.Audit.Redact);
    }

    /// <summary>Adds the decided calls of a request to its session; returns the forwarded requests whose results are evidence (or <see langword="null"/>).</summary>
    /// <param name="endsSession">Whether a forwarded call is an end tool.</param>
    public ObservedRequest[]? Decided(Session session, McpMessage[] messages, DecisionRecord[] records, out bool endsSession)
    {
        endsSession = false;
        ObservedRequest[]? observed = null;
        var kept = 0;
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            var isCall = message.Method == McpMethods.ToolsCall;
            if (!IsCallOrRead(message))
            {
                continue;
            }

            var record = records[i];
            var arguments = Arguments(message.Arguments);
            if (isCall)
            {
                var call = new SessionCall(record.Time, message.Name ?? string.Empty, arguments, record.Decision.Kind, record.Reference);

                // The session keeps what oversight reads back: calls of the tools it watches (submissions,
                // mandated calls) and every call not simply allowed (a session with a denial or a flag had
                // findings). The many plain allowed calls of other tools would only hold memory: a busy
                // guard holds thousands of sessions. (A tool a reloaded policy starts watching is watched
                // from then on.)
                if (record.Decision.Kind != DecisionKind.Allow || _policies.Current.Oversight.Watches(call.Tool))
                {
                    session.Add(call);
                }
                try
                {
                    _sink.CallDecided(session, call);
                }
                catch (Exception ex)
                {
                    SessionEnds.LogSinkFailed(_logger, ex, session.Key.Agent);
                }
            }

            if (!record.Decision.IsDenied)
            {
                var id = JsonMarshal.GetRawUtf8Value(message.Id).ToArray();
                observed ??= new ObservedRequest[ForwardedCallsAndReads(messages, records, i)];
                observed[kept++] = new ObservedRequest(id, message.Method, isCall ? message.Name : null, isCall ? null : message.Name, arguments, record.Reference, ListedFolder(record.Decision.Effects));
                // The end tools of the configuration and those the policy's oversight section declares.
                endsSession |= isCall && message.Name is { } tool && (_endTools.Contains(tool) || _policies.Current.Oversight.IsEndTool(tool));
            }
        }

        return observed;
    }

    /// <summary>Whether <paramref name="message"/> is a <c>tools/call</c> or <c>resources/read</c> request: the messages the session side looks at.</summary>
    private static bool IsCallOrRead(McpMessage message)
        => message.Kind == McpMessageKind.Request && message.Method is McpMethods.ToolsCall or McpMethods.ResourcesRead;

    /// <summary>How many of the messages from <paramref name="start"/> on are forwarded calls and reads, so the array of observed requests is sized once rather than grown in a list.</summary>
    private static int ForwardedCallsAndReads(McpMessage[] messages, DecisionRecord[] records, int start)
    {
        var count = 0;
        for (var i = start; i < messages.Length; i++)
        {
            if (IsCallOrRead(messages[i]) && !records[i].Decision.IsDenied)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The folder a call lists: its first read of a named folder (a canonical name ending in <c>/</c>).</summary>
    private static string? ListedFolder(IReadOnlyList<Effects.Effect> effects)
    {
        for (var i = 0; i < effects.Count; i++)
        {
            var effect = effects[i];
            if (effect.Kind == Effects.EffectKind.Read && effect.Flags == Effects.EffectFlags.None && effect.Resource.EndsWith('/'))
            {
                return effect.Resource;
            }
        }

        return null;
    }

    /// <summary>The request's answer is through: a forwarded end tool ends its session now.</summary>
    public void Forwarded(Session session, bool endsSession)
    {
        if (endsSession)
        {
            _ends.End(session.Key, SessionEndReason.EndTool);
        }
    }

    /// <summary>The arguments, redacted as the audit log redacts them when they are written out.</summary>
    public CallArguments Arguments(JsonElement arguments) => CallArguments.Of(arguments, _redactor);
}
