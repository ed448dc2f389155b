using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using AgentGuard.Audit;
using AgentGuard.Policy;
using AgentGuard.Protocols;
using AgentGuard.Telemetry;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace AgentGuard.Proxy;

/// <summary>
/// Steps 2-6 of a tool call on an inspected route: read and decode the body, decide every
/// message, log the decision, and either forward (unchanged when everything is allowed) or
/// answer the agent in its protocol. Runs in YARP's proxy pipeline, before load balancing.
/// </summary>
internal sealed partial class McpInspectionMiddleware(
    RequestDelegate next,
    PolicyStore policies,
    DecisionFeed feed,
    TimeProvider timeProvider,
    IOptionsMonitor<GuardOptions> options,
    ILogger<McpInspectionMiddleware> logger,
    DecisionTelemetry telemetry,
    AuditLog? audit = null)
{
    private const string SessionHeader = "Mcp-Session-Id";
    private const string ParamHeaderPrefix = "Mcp-Param-";

    public Task InvokeAsync(HttpContext context)
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        if (!RouteInspection.IsMcp(route))
        {
            return next(context);
        }

        var method = context.Request.Method;
        if (HttpMethods.IsPost(method))
        {
            return InspectAsync(context);
        }

        // GET opens the server's event stream and DELETE ends a session: neither carries a call.
        // Nothing else is MCP (HEAD and OPTIONS included: agents are not browsers needing CORS).
        if (McpTransportRequest.IsStreamOrSessionEnd(context))
        {
            return next(context);
        }

        return DenyHttpAsync(context);
    }

    private async Task InspectAsync(HttpContext context)
    {
        // Current until the request is done, so the forwarded request's span is its child.
        using var span = DecisionTelemetry.StartInspection(context.Request);
        var forwarding = default(Forwarding);
        try
        {
            // Forwarding is the one step that waits on the network, so only this method suspends
            // for it: one state machine per request rather than one per nested call.
            forwarding = await DecideAsync(context);
            if (forwarding.Records is { } records)
            {
                var started = timeProvider.GetTimestamp();
                await next(context);
                RecordUpstream(context, records, timeProvider.GetElapsedTime(started));
            }
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException && !context.Response.HasStarted)
        {
            // The agent's connection broke or its body ended early: nothing was decided and nothing
            // is forwarded; Kestrel answers a bad request itself where it still can.
            LogBodyIncomplete(logger, options.CurrentValue.Agent.Id, ex.Message);
            context.Abort();
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
        {
            // The one place exceptions are caught: whatever went wrong, the call is denied, and the
            // agent learns only the reference.
            var reference = AuditReference.Create();
            LogInspectionFailed(logger, ex, options.CurrentValue.Agent.Id, reference);
            telemetry.Failed(ex, reference);
            await RecordRejectionAsync(context, "internal-error: the guard failed while inspecting", reference);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(McpReplies.Error(McpReplies.PermissionDeniedCode, "permission denied", reference));
        }
        finally
        {
            forwarding.Dispose();
        }
    }

    /// <summary>
    /// Reads, decodes and decides the body, and answers the agent unless something is to be
    /// forwarded; then the returned <see cref="Forwarding"/> owns the body until the upstream is done.
    /// </summary>
    private async ValueTask<Forwarding> DecideAsync(HttpContext context)
    {
        var guard = options.CurrentValue;
        var started = timeProvider.GetTimestamp();
        var (body, bodyError) = await InspectedBody.ReadAsync(context.Request, guard.Inspection.MaxBodyBytes, context.RequestAborted);
        if (body is null)
        {
            await RejectBodyAsync(context, bodyError);
            return default;
        }

        McpExchange? exchange = null;
        var forwarding = default(Forwarding);
        try
        {
            exchange = McpDecoder.Decode(body.Json);
            if (exchange.Error != McpDecodeError.None)
            {
                var code = exchange.Error == McpDecodeError.ParseError ? McpReplies.ParseErrorCode : McpReplies.InvalidRequestCode;
                await RejectAsync(context, StatusCodes.Status400BadRequest, code, exchange.ErrorDetail!, "malformed");
                return default;
            }

            var mismatch = CheckHeaders(context.Request.Headers, exchange);
            if (mismatch is not null)
            {
                await RejectAsync(context, StatusCodes.Status400BadRequest, McpHeaderCheck.HeaderMismatchCode, mismatch, "header-mismatch");
                return default;
            }

            var messages = exchange.Messages;
            var records = Decide(context, guard, messages, out var denied);
            if (!await RecordAsync(records, context.RequestAborted))
            {
                // Nothing decided may take effect unrecorded: with the audit log down, everything is denied.
                denied = messages.Length;
                for (var i = 0; i < records.Length; i++)
                {
                    records[i] = records[i] with { Decision = Decision.InspectionFailure("the audit log cannot be written") };
                }

                telemetry.Rejected(DecisionTelemetry.AuditUnavailable, records.Length == 1 ? records[0].Reference : null);
            }

            telemetry.Decided(context.Request, exchange, records, timeProvider.GetElapsedTime(started));

            if (denied == messages.Length)
            {
                await ReplyAllDeniedAsync(context, exchange, records);
                return default;
            }

            if (denied == 0)
            {
                context.Request.Body = body.OpenRaw();
            }
            else
            {
                ForwardAllowedMembers(context, exchange, records, guard.Inspection.MaxBodyBytes);
            }

            forwarding = new Forwarding(body, exchange, records);
            return forwarding;
        }
        finally
        {
            if (forwarding.Records is null)
            {
                exchange?.Dispose();
                body.Dispose();
            }
        }
    }

    /// <summary>Makes the decisions durable before they take effect; false when the audit log cannot be written.</summary>
    private async ValueTask<bool> RecordAsync(DecisionRecord[] records, CancellationToken cancellationToken)
    {
        foreach (var record in records)
        {
            feed.Publish(record);
        }

        if (audit is null)
        {
            return true;
        }

        try
        {
            await audit.AppendAsync(records, cancellationToken);
            return true;
        }
        catch (AuditWriteException ex)
        {
            LogAuditUnavailable(logger, ex.Message);
            return false;
        }
    }

    private void RecordUpstream(HttpContext context, DecisionRecord[] records, TimeSpan latency)
    {
        telemetry.UpstreamAnswered(latency);
        if (audit is not null)
        {
            foreach (var record in records)
            {
                if (!record.Decision.IsDenied)
                {
                    audit.AppendUpstream(record.Reference, context.Response.StatusCode, latency);
                }
            }
        }
    }

    private DecisionRecord[] Decide(HttpContext context, GuardOptions guard, McpMessage[] messages, out int denied)
    {
        var policy = policies.Current;
        var agent = new Agent(guard.Agent.Id, guard.Agent.Role);
        var session = context.Request.Headers[SessionHeader].ToString();
        var now = timeProvider.GetUtcNow();
        var records = new DecisionRecord[messages.Length];
        denied = 0;
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            var call = new ToolCall(
                agent,
                session.Length == 0 ? null : session,
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
                LogDecisionFailed(logger, ex, agent.Id, call.Method, call.Tool);
                decision = Decision.InspectionFailure("the guard failed while deciding");
            }

            if (decision.IsDenied)
            {
                denied++;
            }

            records[i] = new DecisionRecord(now, call, decision, AuditReference.Create(), policy.Version);
            LogDecision(records[i]);
        }

        return records;
    }

    private void LogDecision(DecisionRecord record)
    {
        var (call, decision, reference, policyVersion) = (record.Call, record.Decision, record.Reference, record.PolicyVersion);
        var finding = decision.Finding?.Category ?? "none";
        var severity = decision.Finding?.Severity.ToString().ToLowerInvariant() ?? "none";
        switch (decision.Kind)
        {
            case DecisionKind.Deny:
                LogDenied(logger, call.Agent.Id, call.Agent.Role, call.Method, call.Tool, decision.RuleId, finding, severity, reference, policyVersion, decision.Message);
                break;
            case DecisionKind.Flag:
                LogFlagged(logger, call.Agent.Id, call.Agent.Role, call.Method, call.Tool, decision.RuleId, finding, severity, policyVersion, decision.Message);
                break;
            default:
                LogAllowed(logger, call.Agent.Id, call.Method, call.Tool, decision.RuleId, policyVersion);
                break;
        }
    }

    private static string? CheckHeaders(IHeaderDictionary headers, McpExchange exchange)
    {
        var method = headers.TryGetValue("Mcp-Method", out var m) ? m.ToString() : null;
        var name = headers.TryGetValue("Mcp-Name", out var n) ? n.ToString() : null;
        List<(string, string)>? parameters = null;
        foreach (var (key, value) in headers)
        {
            if (key.Length >= ParamHeaderPrefix.Length && (key[0] | 0x20) == 'm' && key.StartsWith(ParamHeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                (parameters ??= []).Add((key[ParamHeaderPrefix.Length..], value.ToString()));
            }
        }

        return McpHeaderCheck.Check(exchange, method, name, parameters ?? (IReadOnlyList<(string, string)>)[]);
    }

    private static async Task ReplyAllDeniedAsync(HttpContext context, McpExchange exchange, DecisionRecord[] records)
    {
        var hasRequest = false;
        foreach (var message in exchange.Messages)
        {
            hasRequest |= message.Kind == McpMessageKind.Request;
        }

        if (!hasRequest)
        {
            // Notifications and responses get no JSON-RPC answer; 202 is what a server says to them.
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (exchange.IsBatch)
            {
                writer.WriteStartArray();
            }

            for (var i = 0; i < exchange.Messages.Length; i++)
            {
                if (exchange.Messages[i].Kind == McpMessageKind.Request)
                {
                    McpReplies.WriteDenied(writer, exchange.Messages[i], records[i].Reference);
                }
            }

            if (exchange.IsBatch)
            {
                writer.WriteEndArray();
            }
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    private static void ForwardAllowedMembers(HttpContext context, McpExchange exchange, DecisionRecord[] records, int maxBodyBytes)
    {
        var forwarded = new ArrayBufferWriter<byte>(4096);
        var replies = new List<byte[]>();
        var forwardedIds = new List<byte[]>();
        forwarded.Write("["u8);
        var first = true;
        for (var i = 0; i < exchange.Messages.Length; i++)
        {
            var message = exchange.Messages[i];
            if (!records[i].Decision.IsDenied)
            {
                if (!first)
                {
                    forwarded.Write(","u8);
                }

                forwarded.Write(JsonMarshal.GetRawUtf8Value(message.Element));
                first = false;
                if (message.Kind == McpMessageKind.Request)
                {
                    forwardedIds.Add(JsonMarshal.GetRawUtf8Value(message.Id).ToArray());
                }
            }
            else if (message.Kind == McpMessageKind.Request)
            {
                var reply = new ArrayBufferWriter<byte>(256);
                using (var writer = new Utf8JsonWriter(reply))
                {
                    McpReplies.WriteDenied(writer, message, records[i].Reference);
                }

                replies.Add(reply.WrittenSpan.ToArray());
            }
        }

        forwarded.Write("]"u8);
        var bytes = forwarded.WrittenSpan.ToArray();
        context.Request.Headers.Remove("Content-Encoding");
        context.Request.Headers.Remove("Transfer-Encoding");

        // The guard merges its answers into the tool server's, so it must be able to read them.
        context.Request.Headers.Remove("Accept-Encoding");
        context.Request.ContentLength = bytes.Length;
        context.Request.Body = new MemoryStream(bytes, writable: false);
        if (replies.Count > 0)
        {
            context.Features.Set(new PendingReplies(replies, forwardedIds, maxBodyBytes));
        }
    }

    private Task RejectBodyAsync(HttpContext context, BodyError error) => error switch
    {
        BodyError.TooLarge => RejectAsync(context, StatusCodes.Status413PayloadTooLarge, McpReplies.InvalidRequestCode, "request body is larger than the inspection limit", "too-large"),
        BodyError.UnsupportedEncoding => RejectAsync(context, StatusCodes.Status415UnsupportedMediaType, McpReplies.InvalidRequestCode, "Content-Encoding is not supported; use gzip, deflate, br or none", "unsupported-encoding"),
        BodyError.CorruptEncoding => RejectAsync(context, StatusCodes.Status400BadRequest, McpReplies.ParseErrorCode, "body does not decode with its Content-Encoding", "corrupt-encoding"),
        _ => RejectAsync(context, StatusCodes.Status415UnsupportedMediaType, McpReplies.InvalidRequestCode, "Content-Type must be application/json, in UTF-8", "unsupported-media-type"),
    };

    private async Task RejectAsync(HttpContext context, int status, int code, string message, string reason)
    {
        var reference = AuditReference.Create();
        var guard = options.CurrentValue;
        LogRejected(logger, guard.Agent.Id, reason, message, reference);
        telemetry.Rejected(reason, reference);
        await RecordRejectionAsync(context, reason + ": " + message, reference);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = McpReplies.Error(code, message, reference);
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private async Task DenyHttpAsync(HttpContext context)
    {
        var reference = AuditReference.Create();
        LogRejected(logger, options.CurrentValue.Agent.Id, "http-method", context.Request.Method, reference);
        telemetry.Rejected("http-method", reference);
        await RecordRejectionAsync(context, "http-method: " + context.Request.Method + " is not an MCP transport request", reference);
        await HttpDenial.WriteMethodNotAllowedAsync(context, McpTransportRequest.AllowedMethods, reference);
    }

    /// <summary>Records a denial that no policy rule made (the request could not be decided); it is a denial whether or not the record lands.</summary>
    private async Task RecordRejectionAsync(HttpContext context, string detail, string reference)
    {
        var guard = options.CurrentValue;
        var call = new ToolCall(new Agent(guard.Agent.Id, guard.Agent.Role), null, "mcp", string.Empty, null, default);
        await RecordAsync([new DecisionRecord(timeProvider.GetUtcNow(), call, Decision.InspectionFailure(detail), reference, policies.Current.Version)], context.RequestAborted);
    }

    /// <summary>What is being forwarded: the body the forwarded stream reads from, its decoded messages and their decisions.</summary>
    private readonly record struct Forwarding(InspectedBody? Body, McpExchange? Exchange, DecisionRecord[]? Records) : IDisposable
    {
        public void Dispose()
        {
            Exchange?.Dispose();
            Body?.Dispose();
        }
    }
}
