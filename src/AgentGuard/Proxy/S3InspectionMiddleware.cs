using AgentGuard.Audit;
using AgentGuard.Effects;
using AgentGuard.Policy;
using AgentGuard.Protocols.S3;
using AgentGuard.Telemetry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace AgentGuard.Proxy;

/// <summary>
/// The flow of a request on an S3 route (<c>AgentGuard.Inspect: s3</c>): identify
/// (<see cref="CallIdentifier"/>, no <c>Mcp-Session-Id</c>), decode (<see cref="S3Decoder"/>, the
/// XML document or the first window of content through <see cref="S3RequestBody"/>), decide
/// (<see cref="CallDecider"/>), hold for reviewers (<see cref="ApprovalHold"/>), record (<see cref="DecisionRecorder"/>), enforce
/// (<see cref="S3Enforcer"/>). An allowed request goes on byte for byte: headers as signed (the
/// route keeps the original <c>Host</c>), the body as sent, streamed. Runs after
/// <see cref="McpInspectionMiddleware"/>, which passes S3 routes by.
/// </summary>
internal sealed partial class S3InspectionMiddleware(
    RequestDelegate next,
    CallIdentifier identifier,
    CallDecider decider,
    DecisionRecorder recorder,
    ApprovalHold approvals,
    TimeProvider timeProvider,
    IOptionsMonitor<GuardOptions> options,
    ILogger<S3InspectionMiddleware> logger,
    DecisionTelemetry telemetry)
{
    private const string Protocol = "s3";

    private S3Endpoint? _endpoint;
    private S3Options? _endpointOptions;

    public Task InvokeAsync(HttpContext context)
        => RouteInspection.Of(context.GetReverseProxyFeature().Route.Config) == RouteInspectionMode.S3 ? InspectAsync(context) : next(context);

    private async Task InspectAsync(HttpContext context)
    {
        var started = timeProvider.GetTimestamp();
        ToolCall? call = null;
        S3Document? document = null;
        try
        {
            var identity = identifier.Identify(context, mcpSession: false);
            var request = context.Request;
            var effects = new List<Effect>();
            var error = S3Decoder.Decode(Describe(context), Endpoint(), effects, out var operation);
            call = new ToolCall(
                identity.Agent,
                identity.Session.Key.Id,
                Protocol,
                operation?.Name ?? string.Empty,
                null,
                S3CallArguments.Create(operation, request.Headers[S3CallArguments.CopySourceHeader].ToString()));
            if (error is not null)
            {
                await RejectAsync(context, call, "malformed", error);
                return;
            }

            switch (operation!.Body)
            {
                case S3BodyUse.Document:
                    document = await S3RequestBody.ReadDocumentAsync(request, context.RequestAborted);
                    if (document.Error is { } readError)
                    {
                        await RejectAsync(context, call, document.Reason!, readError);
                        return;
                    }

                    if (S3Decoder.DecodeBody(operation, document.Document, effects) is { } bodyError)
                    {
                        await RejectAsync(context, call, "malformed", bodyError);
                        return;
                    }

                    // The document goes on exactly as it was sent.
                    ForwardedBody.Set(context, document.CopyRaw());
                    break;
                case S3BodyUse.Content:
                    var (format, contentError) = await S3RequestBody.SniffContentAsync(request, context.RequestAborted);
                    if (contentError is not null)
                    {
                        await RejectAsync(context, call, "malformed", contentError);
                        return;
                    }

                    if (format is not null)
                    {
                        MarkFormat(effects, format.Value);
                    }

                    break;
            }

            var record = decider.Decide(identity, call, effects);
            if (record.Decision.IsHeld)
            {
                // No progress on S3: the request simply waits for the reviewers, then goes on or gets the usual 403.
                record = await approvals.HoldAsync(identity, record, requestId: null, context.RequestAborted);
            }

            if (!await recorder.RecordAsync([record], context.RequestAborted))
            {
                // Nothing decided may take effect unrecorded: with the audit log down, everything is denied.
                record = record with { Decision = Decision.InspectionFailure("the audit log cannot be written") };
                telemetry.Rejected(DecisionTelemetry.AuditUnavailable, record.Reference);
            }

            telemetry.Decided(record, timeProvider.GetElapsedTime(started));
            if (record.Decision.IsDenied)
            {
                await S3Enforcer.DenyAsync(context, record.Reference);
                return;
            }

            var forwarded = timeProvider.GetTimestamp();
            await next(context);
            recorder.RecordUpstream(context.Response.StatusCode, [record], timeProvider.GetElapsedTime(forwarded));
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException && !context.Response.HasStarted)
        {
            // The agent's connection broke or its body ended early while the guard read it: nothing
            // was decided and nothing is forwarded.
            LogBodyIncomplete(logger, options.CurrentValue.Agent.Id, ex.Message);
            context.Abort();
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
        {
            // The one place exceptions are caught: whatever went wrong, the request is denied, and the
            // agent learns only the reference.
            var reference = AuditReference.Create();
            LogInspectionFailed(logger, ex, options.CurrentValue.Agent.Id, reference);
            telemetry.Failed(ex, reference);
            call ??= new ToolCall(identifier.AgentOf(context), null, Protocol, string.Empty, null, default);
            await recorder.RecordRejectionAsync(call, "internal-error: the guard failed while inspecting", reference, context.RequestAborted);
            await S3Enforcer.DenyAsync(context, reference);
        }
        finally
        {
            document?.Dispose();
        }
    }

    /// <summary>The request line and headers as sent: the path still percent-encoded, which S3 keys need (<c>a%2Fb</c> is not <c>a/b</c> to the decoder's canonical form, and SigV4 signs the encoded form).</summary>
    private static S3Request Describe(HttpContext context)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        string path, query;
        if (string.IsNullOrEmpty(target) || target[0] != '/')
        {
            path = request.PathBase.Add(request.Path).ToUriComponent();
            query = request.QueryString.Value ?? string.Empty;
        }
        else
        {
            var mark = target.IndexOf('?', StringComparison.Ordinal);
            path = mark < 0 ? target : target[..mark];
            query = mark < 0 ? string.Empty : target[mark..];
        }

        return new S3Request(request.Method, request.Headers.Host.ToString(), path, query, S3RequestBody.Header(request));
    }

    /// <summary>The content was recognised by its bytes: the writes of it carry the format, so that an asset listing the format holds them whatever their name.</summary>
    private static void MarkFormat(List<Effect> effects, Content.ModelFormat format)
    {
        for (var i = 0; i < effects.Count; i++)
        {
            if (effects[i].Kind == EffectKind.Write)
            {
                effects[i] = effects[i] with { Format = format };
            }
        }
    }

    /// <summary>The endpoint from the options in force, rebuilt when they are reloaded.</summary>
    private S3Endpoint Endpoint()
    {
        var current = options.CurrentValue.S3;
        if (!ReferenceEquals(current, Volatile.Read(ref _endpointOptions)) || _endpoint is null)
        {
            _endpoint = current.Endpoint();
            Volatile.Write(ref _endpointOptions, current);
        }

        return _endpoint;
    }

    private async Task RejectAsync(HttpContext context, ToolCall call, string reason, string detail)
    {
        var reference = AuditReference.Create();
        LogRejected(logger, call.Agent.Id, reason, detail, reference);
        telemetry.Rejected(reason, reference);
        await recorder.RecordRejectionAsync(call, reason + ": " + detail, reference, context.RequestAborted);
        await S3Enforcer.DenyAsync(context, reference);
    }
}
