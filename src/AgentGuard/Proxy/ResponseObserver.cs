using System.Text;
using AgentGuard.Audit;
using AgentGuard.Oversight;
using AgentGuard.Protocols;
using AgentGuard.Sessions;
using AgentGuard.Telemetry;
using Microsoft.Net.Http.Headers;

namespace AgentGuard.Proxy;

/// <summary>
/// Step 7 of the flow for one response: reads the tool server's answer as it streams to the agent
/// (JSON or SSE, compressed or not), matches each result to its forwarded <c>tools/call</c> or
/// <c>resources/read</c> by id, and keeps it as <see cref="Evidence"/> in the session and hands it to
/// oversight. Whatever it cannot read is not evidence (counted), never an error to the agent.
/// </summary>
internal sealed partial class ResponseObserver : IMcpResultReceiver
{
    private readonly Session _session;
    private readonly ListingLineageRecorder _listings;
    private bool _counted;
    private readonly ObservedRequest[] _requests;
    private readonly IOversightSink _sink;
    private readonly SessionMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly int _maxItemChars;
    private Mode _mode;
    private McpResultScanner? _json;
    private McpEventStreamScanner? _events;
    private CompressedObservation? _compressed;
    private int _finished;
    private readonly Action<ResponseObserver>? _onFinished;
    private Action? _afterFinish;
    private bool _done;

    public ResponseObserver(Session session, ObservedRequest[] requests, IOversightSink sink, ListingLineageRecorder listings, SessionMetrics metrics, TimeProvider timeProvider, int maxItemChars, ILogger logger, Action<ResponseObserver>? onFinished = null)
    {
        _onFinished = onFinished;
        _session = session;
        _listings = listings;
        _requests = requests;
        _sink = sink;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _maxItemChars = maxItemChars;
        _logger = logger;
    }

    /// <summary>Counts this observer in its session until it finishes, so oversight looks at a later call only after this answer's evidence is in (a POST's answer; a session's long-lived GET stream is not counted).</summary>
    public ResponseObserver Counted()
    {
        _counted = true;
        _session.ObservationStarted();
        return this;
    }

    private enum Mode : byte { NotStarted, Json, Events, Off }

    /// <summary>The session the results are evidence in.</summary>
    public Session Session => _session;

    /// <summary>The requests whose results are looked for; <see cref="ObservedRequest.Answered"/> says which came.</summary>
    public ObservedRequest[] Requests => _requests;

    /// <summary>Takes the next chunk the agent was sent (already sent).</summary>
    public void Observe(HttpResponse response, ReadOnlySpan<byte> chunk)
    {
        if (_mode == Mode.Off || chunk.IsEmpty)
        {
            return;
        }

        try
        {
            if (_mode == Mode.NotStarted)
            {
                Start(response);
                if (_mode == Mode.Off)
                {
                    return;
                }
            }

            if (_compressed is not null)
            {
                _compressed.Write(chunk);
            }
            else
            {
                Scan(chunk);
            }
        }
        catch (Exception ex)
        {
            // A bug here must cost the evidence, not the agent's answer.
            LogObservationFailed(_logger, ex, _session.Key.Agent);
            _mode = Mode.Off;
        }
    }

    /// <summary>Scans decoded bytes (on the request's thread, or the decoder's for a compressed answer).</summary>
    public void Scan(ReadOnlySpan<byte> decoded)
    {
        if (_events is not null)
        {
            _events.Feed(decoded);
        }
        else
        {
            _json?.Feed(decoded);
        }
    }

    /// <summary>The response is done (written whole, or broken off).</summary>
    public void Complete()
    {
        if (_compressed is not null)
        {
            _compressed.Complete();
        }
        else
        {
            Finish(decoded: _mode != Mode.Off);
        }
    }

    /// <summary>The last of the answer was scanned: counts what could not be read.</summary>
    public void Finish(bool decoded)
    {
        if (Interlocked.Exchange(ref _finished, 1) == 1)
        {
            return;
        }

        if (_json is { } json)
        {
            _events?.Complete();
            var whole = _events is null ? json.EndDocument() : _events.Undecodable == 0;
            decoded &= whole || AllAnswered();

            // The scanner goes back to its thread for the next answer: nothing here may feed it again.
            _json = null;
            _events = null;
            json.Dispose();
        }

        if (!decoded && !AllAnswered())
        {
            _metrics.EvidenceUndecodable();
            LogUndecodable(_logger, _session.Key.Agent);
        }

        if (_counted)
        {
            _session.ObservationEnded();
        }

        _onFinished?.Invoke(this);
        Action? after;
        lock (_requests)
        {
            _done = true;
            after = _afterFinish;
            _afterFinish = null;
        }

        after?.Invoke();
    }

    /// <summary>Runs <paramref name="action"/> once the last of the answer was scanned (at once if it was): a compressed answer is decoded on another thread, and what follows the answer (the end of its session) must follow its evidence too.</summary>
    public void AfterFinish(Action action)
    {
        lock (_requests)
        {
            if (!_done)
            {
                _afterFinish += action;
                return;
            }
        }

        action();
    }

    void IMcpResultReceiver.Result(ReadOnlySpan<byte> id, ReadOnlySpan<byte> content, bool truncated, bool isError)
    {
        var request = Match(id);
        if (request is null)
        {
            return;
        }

        request.Answered = true;
        if (!_session.HasRoomForEvidence)
        {
            // Over the session's cap nothing more is kept, so nothing is decoded or handed on either.
            _metrics.EvidenceDroppedByCap();
            return;
        }

        var text = Encoding.UTF8.GetString(content);
        if (text.Length > _maxItemChars)
        {
            var cut = _maxItemChars;
            if (char.IsHighSurrogate(text[cut - 1]))
            {
                cut--;
            }

            text = text[..cut];
            truncated = true;
        }

        // Redacted at capture, as arguments are: evidence can reach the audit log through findings.
        text = InlineSecrets.Redact(text);
        var now = _timeProvider.GetUtcNow();
        var evidence = new Evidence(now, request.Method, request.Tool, request.Resource, request.Arguments.Text, text, truncated, isError, request.Reference);
        _session.Touch(now);
        if (!_session.Add(evidence))
        {
            _metrics.EvidenceDroppedByCap();
            return;
        }

        _metrics.EvidenceKept();

        try
        {
            _listings.Observed(_session, request, text, now);
            _sink.EvidenceObserved(_session, evidence);
        }
        catch (Exception ex)
        {
            SessionEnds.LogSinkFailed(_logger, ex, _session.Key.Agent);
        }
    }

    private void Start(HttpResponse response)
    {
        _mode = Mode.Off;
        var mediaType = MediaType(response.ContentType);
        var isEvents = mediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase);
        if (!isEvents && !mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var encoding = response.Headers[HeaderNames.ContentEncoding];
        string? coding = null;
        if (encoding.Count > 1)
        {
            return;
        }

        if (encoding.Count == 1)
        {
            coding = encoding[0]!.Trim().ToLowerInvariant() switch
            {
                "identity" or "" => null,
                "gzip" or "x-gzip" => "gzip",
                "deflate" => "deflate",
                "br" => "br",
                _ => "unknown",
            };
            if (coding == "unknown")
            {
                return;
            }
        }

        // The scanner keeps up to three bytes a character, so a cut in UTF-8 still leaves the cap's worth of characters.
        _json = McpResultScanner.Rent(this, (int)Math.Min(int.MaxValue, _maxItemChars * 3L));
        _events = isEvents ? new McpEventStreamScanner(_json) : null;
        _compressed = coding is null ? null : new CompressedObservation(this, coding);
        _mode = isEvents ? Mode.Events : Mode.Json;
    }

    private static ReadOnlySpan<char> MediaType(string? contentType)
    {
        if (contentType is null)
        {
            return [];
        }

        var span = contentType.AsSpan();
        var semicolon = span.IndexOf(';');
        return (semicolon < 0 ? span : span[..semicolon]).Trim();
    }

    private ObservedRequest? Match(ReadOnlySpan<byte> id)
    {
        foreach (var request in _requests)
        {
            if (!request.Answered && id.SequenceEqual(request.Id))
            {
                return request;
            }
        }

        return null;
    }

    private bool AllAnswered()
    {
        foreach (var request in _requests)
        {
            if (!request.Answered)
            {
                return false;
            }
        }

        return true;
    }

    [LoggerMessage(1104, LogLevel.Error, "Observing a response to agent {AgentId} failed; its results are not evidence (the agent's answer is unaffected)")]
    private static partial void LogObservationFailed(ILogger logger, Exception exception, string agentId);

    [LoggerMessage(1105, LogLevel.Debug, "A response to agent {AgentId} could not be read as MCP results; what it answered is not evidence")]
    private static partial void LogUndecodable(ILogger logger, string agentId);
}
