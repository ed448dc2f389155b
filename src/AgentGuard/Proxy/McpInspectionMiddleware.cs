using AgentGuard.Audit;
using AgentGuard.Sessions;
using AgentGuard.Telemetry;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace AgentGuard.Proxy;

/// <summary>
/// The flow of a request on an inspected route, each step in its own type: identify
/// (<see cref="CallIdentifier"/>), decode (<see cref="McpRequestReader"/>), decide
/// (<see cref="CallDecider"/>), hold for reviewers (<see cref="ApprovalHold"/>), record (<see cref="DecisionRecorder"/>), the session context
/// (<see cref="SessionContext"/>), enforce (<see cref="McpEnforcer"/>), and on the way back observe
/// (<see cref="ResponseObservation"/>). Runs in YARP's proxy pipeline, before load balancing.
/// </summary>
internal sealed partial class McpInspectionMiddleware(
    RequestDelegate next,
    CallIdentifier identifier,
    CallDecider decider,
    DecisionRecorder recorder,
    SessionContext sessions,
    ResponseObservation observation,
    SubmissionHold hold,
    ApprovalHold approvals,
    SessionEnds ends,
    TimeProvider timeProvider,
    IOptionsMonitor<GuardOptions> options,
    ILogger<McpInspectionMiddleware> logger,
    DecisionTelemetry telemetry)
{
    public Task InvokeAsync(HttpContext context)
    {
        var mode = RouteInspection.Of(context.GetReverseProxyFeature().Route.Config);
        if (mode != RouteInspectionMode.Mcp)
        {
            // S3 routes identify the call (and remove the orchestrator's headers) in their own step.
            if (mode == RouteInspectionMode.None)
            {
                identifier.RemoveOrchestratorHeaders(context);
            }

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
            identifier.RemoveOrchestratorHeaders(context);
            var session = identifier.McpSession(context);
            if (HttpMethods.IsDelete(method))
            {
                ends.End(session, SessionEndReason.Deleted);
            }
            else if (observation.HasUnanswered(session))
            {
                return StreamAsync(context, session);
            }

            return next(context);
        }

        return DenyHttpAsync(context);
    }

    /// <summary>The session's GET stream, observed for the results its POST answers ended without.</summary>
    private async Task StreamAsync(HttpContext context, SessionKey session)
    {
        var observer = observation.BeginStream(context, session);
        try
        {
            await next(context);
        }
        finally
        {
            ResponseObservation.End(context, observer);
        }
    }

    private async Task InspectAsync(HttpContext context)
    {
        // Current until the request is done, so the forwarded request's span is its child.
        using var span = DecisionTelemetry.StartInspection(context.Request);
        var forwarding = default(Forwarding);
        string? session = null;
        try
        {
            var identity = identifier.Identify(context);
            session = identity.Session.Key.Id;

            // Forwarding is the one step that waits on the network, so only this method suspends
            // for it: one state machine per request rather than one per nested call.
            forwarding = await DecideAsync(context, identity);
            if (forwarding.Records is { } records)
            {
                var observer = observation.Begin(context, identity.Session, forwarding.Observed);
                var started = timeProvider.GetTimestamp();
                try
                {
                    await next(context);
                }
                finally
                {
                    ResponseObservation.End(context, observer);
                }

                if (forwarding.Events is { } events)
                {
                    await events.CompleteAsync();
                }

                recorder.RecordUpstream(context.Response.StatusCode, records, timeProvider.GetElapsedTime(started));
                if (forwarding.EndsSession)
                {
                    EndSessionAfter(observer, identity.Session);
                }
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
            await recorder.RecordRejectionAsync(identifier.AgentOf(context), session, "internal-error: the guard failed while inspecting", reference, context.RequestAborted);
            await McpEnforcer.FailAsync(context, reference);
        }
        finally
        {
            forwarding.Dispose();
        }
    }

    /// <summary>Ends the session of a forwarded end tool after the tool's own result is evidence, however long decoding it takes.</summary>
    /// <remarks>Not inline in <see cref="InspectAsync"/>: a lambda there would allocate its closure on every request, end tool or not.</remarks>
    private void EndSessionAfter(ResponseObserver? observer, Session session)
    {
        if (observer is null)
        {
            sessions.Forwarded(session, endsSession: true);
        }
        else
        {
            observer.AfterFinish(() => sessions.Forwarded(session, endsSession: true));
        }
    }

    /// <summary>
    /// Reads, decodes, decides and records the body, and answers the agent unless something is to
    /// be forwarded; then the returned <see cref="Forwarding"/> owns the body until the upstream is done.
    /// </summary>
    private async ValueTask<Forwarding> DecideAsync(HttpContext context, CallIdentity identity)
    {
        var guard = options.CurrentValue;
        var started = timeProvider.GetTimestamp();
        var request = await McpRequestReader.ReadAsync(context.Request, guard.Inspection.MaxBodyBytes, context.RequestAborted);
        var forwarding = default(Forwarding);
        HeldEventStream? events = null;
        try
        {
            if (request.Rejection is { } rejection)
            {
                await RejectAsync(context, identity, rejection);
                return default;
            }

            var exchange = request.Exchange!;
            var messages = exchange.Messages;
            var records = decider.Decide(identity, messages, out var denied);
            if (hold.Applies(identity, messages, records))
            {
                denied += await hold.HoldAsync(identity, messages, records, context.RequestAborted);
            }

            approvals.Cancel(identity, messages);
            if (ApprovalHold.Applies(records))
            {
                // Where the agent asked for progress, its answer starts now, as an event stream.
                events = await HeldEventStream.StartAsync(context, messages, records, guard.Holds.ProgressInterval, timeProvider, guard.Inspection.MaxBodyBytes);
                denied += await approvals.HoldAsync(identity, messages, records, context.RequestAborted);
                if (events is not null)
                {
                    await events.StopProgressAndRedirectAsync();

                    // The guard turns the answer into events, so it must be able to read it.
                    context.Request.Headers.Remove("Accept-Encoding");
                }
            }

            if (!await recorder.RecordAsync(records, context.RequestAborted))
            {
                // Nothing decided may take effect unrecorded: with the audit log down, everything is denied.
                denied = messages.Length;
                for (var i = 0; i < records.Length; i++)
                {
                    records[i] = records[i] with { Decision = Policy.Decision.InspectionFailure("the audit log cannot be written") };
                }

                telemetry.Rejected(DecisionTelemetry.AuditUnavailable, records.Length == 1 ? records[0].Reference : null);
            }

            telemetry.Decided(context.Request, exchange, records, timeProvider.GetElapsedTime(started));
            var observed = sessions.Decided(identity.Session, messages, records, out var endsSession);

            if (denied == messages.Length)
            {
                await McpEnforcer.ReplyAllDeniedAsync(context, exchange, records);
                if (events is not null)
                {
                    await events.CompleteAsync();
                }

                return default;
            }

            if (denied == 0)
            {
                ForwardedBody.Set(context, request.Body!.Raw.ToArray());
            }
            else
            {
                McpEnforcer.ForwardAllowedMembers(context, exchange, records, guard.Inspection.MaxBodyBytes);
            }

            forwarding = new Forwarding(request, records, observed, endsSession, events);
            return forwarding;
        }
        finally
        {
            if (forwarding.Records is null)
            {
                request.Dispose();
            }
        }
    }

    private async Task RejectAsync(HttpContext context, CallIdentity identity, McpRequestReader.Rejection rejection)
    {
        var reference = AuditReference.Create();
        LogRejected(logger, identity.Agent.Id, rejection.Reason, rejection.Message, reference);
        telemetry.Rejected(rejection.Reason, reference);
        await recorder.RecordRejectionAsync(identity.Agent, identity.Session.Key.Id, rejection.Reason + ": " + rejection.Message, reference, context.RequestAborted);
        await McpEnforcer.RejectAsync(context, rejection.Status, rejection.Code, rejection.Message, reference);
    }

    private async Task DenyHttpAsync(HttpContext context)
    {
        var reference = AuditReference.Create();
        LogRejected(logger, options.CurrentValue.Agent.Id, "http-method", context.Request.Method, reference);
        telemetry.Rejected("http-method", reference);
        // Named by its Mcp-Session-Id when it has one; a request that is not MCP starts no session.
        var session = context.Request.Headers["Mcp-Session-Id"].ToString();
        await recorder.RecordRejectionAsync(identifier.AgentOf(context), session.Length == 0 ? null : session, "http-method: " + context.Request.Method + " is not an MCP transport request", reference, context.RequestAborted);
        await HttpDenial.WriteMethodNotAllowedAsync(context, McpTransportRequest.AllowedMethods, reference);
    }

    /// <summary>What is being forwarded: the request (its pooled body and decoded exchange, kept until the upstream is done; the bytes sent are the <see cref="ForwardedBody"/>'s copy), the decisions, the results to observe, whether it ends its session, and the event stream a held call's answer goes into.</summary>
    private readonly record struct Forwarding(McpRequestReader.McpRequest Request, DecisionRecord[]? Records, ObservedRequest[]? Observed, bool EndsSession, HeldEventStream? Events) : IDisposable
    {
        public void Dispose() => Request.Dispose();
    }
}
