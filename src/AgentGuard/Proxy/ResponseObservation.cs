using AgentGuard.Oversight;
using AgentGuard.Sessions;
using AgentGuard.Telemetry;
using Microsoft.Extensions.Options;

namespace AgentGuard.Proxy;

/// <summary>
/// Step 7 of the flow, the response path: puts a <see cref="ResponseObserver"/> on the agent's
/// response body for the time the forwarded request takes, when it carries a result worth keeping
/// (a <c>tools/call</c> or <c>resources/read</c>), and completes it when the response is done.
/// </summary>
internal sealed class ResponseObservation(
    IOversightSink sink,
    SessionMetrics metrics,
    TimeProvider timeProvider,
    IOptionsMonitor<GuardOptions> options,
    ILogger<ResponseObserver> logger)
{
    /// <summary>Tees the response body of <paramref name="context"/> into an observer of <paramref name="requests"/>' results; <see langword="null"/> when there is nothing to observe.</summary>
    public ResponseObserver? Begin(HttpContext context, Session session, List<ObservedRequest>? requests)
    {
        var sessions = options.CurrentValue.Sessions;
        if (requests is null || !sessions.Observe)
        {
            return null;
        }

        var observer = new ResponseObserver(session, requests, sink, metrics, timeProvider, sessions.MaxEvidenceItemChars, logger);
        var response = context.Response;
        response.Body = new ObservedResponseStream(response.Body, response, observer);
        return observer;
    }

    /// <summary>The response is done: the body is the agent's own again, and the observer finishes (a compressed answer's decoding may still be running).</summary>
    public static void End(HttpContext context, ResponseObserver? observer)
    {
        if (observer is null)
        {
            return;
        }

        if (context.Response.Body is ObservedResponseStream tee)
        {
            context.Response.Body = tee.Inner;
        }

        observer.Complete();
    }
}
