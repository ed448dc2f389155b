using System.Collections.Concurrent;
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
/// <remarks>
/// A POST's SSE answer may end before its result (a broken stream the client resumes): MCP then
/// sends the result on the session's GET stream (with <c>Last-Event-ID</c>). The requests left
/// unanswered are kept per session (bounded) and looked for on that session's next GET stream.
/// </remarks>
internal sealed class ResponseObservation(
    IOversightSink sink,
    SessionMetrics metrics,
    ISessionStore store,
    ListingLineageRecorder listings,
    TimeProvider timeProvider,
    IOptionsMonitor<GuardOptions> options,
    ILogger<ResponseObserver> logger)
{
    /// <summary>The most sessions with requests left unanswered that are remembered.</summary>
    private const int MaxResumableSessions = 1024;

    /// <summary>The most unanswered requests remembered per session; the oldest go first.</summary>
    private const int MaxResumablePerSession = 64;

    private readonly ConcurrentDictionary<SessionKey, List<ObservedRequest>> _unanswered = new();

    private Action<ResponseObserver>? _remember;

    /// <summary><see cref="Remember"/> as a delegate, made once: converting the method group would make one per request.</summary>
    private Action<ResponseObserver> RememberOnFinish => _remember ??= Remember;

    /// <summary>Tees the response body of <paramref name="context"/> into an observer of <paramref name="requests"/>' results; <see langword="null"/> when there is nothing to observe.</summary>
    public ResponseObserver? Begin(HttpContext context, Session session, ObservedRequest[]? requests)
    {
        var sessions = options.CurrentValue.Sessions;
        if (requests is null || !sessions.Observe)
        {
            return null;
        }

        // Only an MCP session has a GET stream on which a result can come later.
        var resumable = context.Request.Headers["Mcp-Session-Id"].ToString() == session.Key.Id;
        var observer = new ResponseObserver(session, requests, sink, listings, metrics, timeProvider, sessions.MaxEvidenceItemChars, logger, resumable ? RememberOnFinish : null).Counted();
        var response = context.Response;
        response.Body = new ObservedResponseStream(response.Body, response, observer);
        return observer;
    }

    /// <summary>Whether the session of <paramref name="key"/> has requests whose results may come on its GET stream.</summary>
    public bool HasUnanswered(SessionKey key) => !_unanswered.IsEmpty && _unanswered.ContainsKey(key);

    /// <summary>Tees the body of the session's GET stream into an observer of its unanswered requests; <see langword="null"/> when there are none.</summary>
    public ResponseObserver? BeginStream(HttpContext context, SessionKey key)
    {
        var sessions = options.CurrentValue.Sessions;
        if (!sessions.Observe || !_unanswered.TryRemove(key, out var pending))
        {
            return null;
        }

        ObservedRequest[] requests;
        lock (pending)
        {
            requests = [.. pending];
        }

        var session = store.GetOrStart(key, timeProvider.GetUtcNow());
        var observer = new ResponseObserver(session, requests, sink, listings, metrics, timeProvider, sessions.MaxEvidenceItemChars, logger, RememberOnFinish);
        var response = context.Response;
        response.Body = new ObservedResponseStream(response.Body, response, observer);
        return observer;
    }

    /// <summary>Keeps the requests an answer ended without, for the session's GET stream.</summary>
    private void Remember(ResponseObserver observer)
    {
        List<ObservedRequest>? left = null;
        foreach (var request in observer.Requests)
        {
            if (!request.Answered)
            {
                (left ??= []).Add(request);
            }
        }

        var key = observer.Session.Key;
        if (left is null || (_unanswered.Count >= MaxResumableSessions && !_unanswered.ContainsKey(key)))
        {
            return;
        }

        var kept = _unanswered.GetOrAdd(key, static _ => []);
        lock (kept)
        {
            kept.AddRange(left);
            if (kept.Count > MaxResumablePerSession)
            {
                kept.RemoveRange(0, kept.Count - MaxResumablePerSession);
            }
        }
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
