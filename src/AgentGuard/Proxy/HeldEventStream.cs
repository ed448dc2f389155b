using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Text.Json;
using AgentGuard.Audit;
using AgentGuard.Protocols;
using Microsoft.AspNetCore.Http.Features;

namespace AgentGuard.Proxy;

/// <summary>
/// The answer to a request with held calls whose agent asked for progress (it accepts
/// <c>text/event-stream</c> and gave <c>params._meta.progressToken</c>): the guard starts an SSE
/// answer at once and sends <c>notifications/progress</c> every <c>AgentGuard:Holds:ProgressInterval</c>,
/// which resets the client's request timer (the MCP TypeScript SDK's resets on progress), then the
/// real answer in the same stream. Because the response has started before YARP forwards, this type
/// stands in for the response to YARP and to the guard's own denials: they set a status and headers
/// nobody sends, and write a body that reaches the agent as SSE (an upstream <c>application/json</c>
/// answer becomes one <c>message</c> event; upstream SSE events pass through as they are).
/// </summary>
internal sealed class HeldEventStream : IHttpResponseFeature, IHttpResponseBodyFeature
{
    private static readonly byte[] EventStart = "event: message\ndata: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    private readonly HttpContext _context;
    private readonly IHttpResponseFeature _realResponse;
    private readonly IHttpResponseBodyFeature _realBody;
    private readonly byte[][] _tokens;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _timeProvider;
    private readonly int _maxBodyBytes;
    private readonly CancellationTokenSource _stop = new();
    private readonly Body _body;
    private Task _progress = Task.CompletedTask;
    private PipeWriter? _writer;
    private bool _started;

    private HeldEventStream(HttpContext context, byte[][] tokens, TimeSpan interval, TimeProvider timeProvider, int maxBodyBytes)
    {
        _context = context;
        _realResponse = context.Features.GetRequiredFeature<IHttpResponseFeature>();
        _realBody = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        _tokens = tokens;
        _interval = interval;
        _timeProvider = timeProvider;
        _maxBodyBytes = maxBodyBytes;
        _body = new Body(this);
    }

    /// <summary>
    /// Starts the SSE answer and its progress notifications when the agent asked for progress on a
    /// held request; otherwise <see langword="null"/> (the request just waits).
    /// </summary>
    public static async ValueTask<HeldEventStream?> StartAsync(
        HttpContext context, McpMessage[] messages, DecisionRecord[] records, TimeSpan interval, TimeProvider timeProvider, int maxBodyBytes)
    {
        if (!AcceptsEventStream(context.Request))
        {
            return null;
        }

        List<byte[]>? tokens = null;
        for (var i = 0; i < messages.Length; i++)
        {
            if (records[i].Decision.IsHeld && messages[i].Kind == McpMessageKind.Request && ProgressToken(messages[i]) is { } token)
            {
                (tokens ??= []).Add(token);
            }
        }

        if (tokens is null)
        {
            return null;
        }

        var stream = new HeldEventStream(context, [.. tokens], interval, timeProvider, maxBodyBytes);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        await response.StartAsync(context.RequestAborted);
        await stream._realBody.Stream.FlushAsync(context.RequestAborted);
        stream._progress = stream.SendProgressAsync(stream._stop.Token);
        return stream;
    }

    /// <summary>Stops the progress notifications (the hold is decided) and puts this in place of the response, for YARP or the guard's denial to write to.</summary>
    public async Task StopProgressAndRedirectAsync()
    {
        await _stop.CancelAsync();
        await _progress;
        _context.Features.Set<IHttpResponseFeature>(this);
        _context.Features.Set<IHttpResponseBodyFeature>(this);
    }

    /// <summary>Sends what was written as the answer's last event and ends the stream.</summary>
    public async Task CompleteAsync()
    {
        try
        {
            if (_writer is not null)
            {
                await _writer.FlushAsync();
            }

            if (_body.Buffered is { Length: > 0 } json)
            {
                await WriteEventAsync(json.GetBuffer().AsMemory(0, (int)json.Length), _context.RequestAborted);
            }

            await _realBody.Stream.FlushAsync(_context.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The agent went away: there is nobody left to answer, and what was decided is recorded.
        }
    }

    private async Task SendProgressAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(_interval, _timeProvider);
            var progress = 0;
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                progress++;
                foreach (var token in _tokens)
                {
                    await WriteEventAsync(Notification(token, progress), cancellationToken);
                }

                await _realBody.Stream.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            // The agent went away; the hold ends as cancelled through the request's abort.
        }
    }

    /// <summary>
    /// A bare progress notification, as a slow tool sends: no total and no message, so the agent
    /// learns only that its call is still under way.
    /// </summary>
    private static byte[] Notification(byte[] token, int progress)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc"u8, "2.0"u8);
            writer.WriteString("method"u8, "notifications/progress"u8);
            writer.WriteStartObject("params"u8);
            writer.WritePropertyName("progressToken"u8);
            writer.WriteRawValue(token, skipInputValidation: true);
            writer.WriteNumber("progress"u8, progress);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes one <c>message</c> event; JSON's own line breaks become further <c>data:</c> lines, which the reader joins back.</summary>
    private async ValueTask WriteEventAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        var stream = _realBody.Stream;
        await stream.WriteAsync(EventStart, cancellationToken);
        var rest = json;
        while (rest.Span.IndexOfAny((byte)'\r', (byte)'\n') is var end and >= 0)
        {
            await stream.WriteAsync(rest[..end], cancellationToken);
            await stream.WriteAsync("\ndata: "u8.ToArray(), cancellationToken);
            var skip = rest.Span[end] == '\r' && end + 1 < rest.Length && rest.Span[end + 1] == '\n' ? 2 : 1;
            rest = rest[(end + skip)..];
        }

        await stream.WriteAsync(rest, cancellationToken);
        await stream.WriteAsync(EventEnd, cancellationToken);
    }

    private static bool AcceptsEventStream(HttpRequest request)
    {
        foreach (var value in request.Headers.Accept)
        {
            if (value is not null && value.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The raw JSON of <c>params._meta.progressToken</c> (a string or number), or <see langword="null"/>.</summary>
    private static byte[]? ProgressToken(McpMessage message)
    {
        if (message.Element.ValueKind == JsonValueKind.Object
            && message.Element.TryGetProperty("params"u8, out var parameters) && parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty("_meta"u8, out var meta) && meta.ValueKind == JsonValueKind.Object
            && meta.TryGetProperty("progressToken"u8, out var token) && token.ValueKind is JsonValueKind.String or JsonValueKind.Number)
        {
            return JsonMarshal.GetRawUtf8Value(token).ToArray();
        }

        return null;
    }

    // What YARP and the guard's denials see in place of the started response.
    int IHttpResponseFeature.StatusCode { get; set; } = StatusCodes.Status200OK;

    string? IHttpResponseFeature.ReasonPhrase { get; set; }

    IHeaderDictionary IHttpResponseFeature.Headers { get; set; } = new HeaderDictionary();

    Stream IHttpResponseFeature.Body { get => _body; set => throw new NotSupportedException("the held call's answer is written through its event stream"); }

    bool IHttpResponseFeature.HasStarted => _started;

    void IHttpResponseFeature.OnStarting(Func<object, Task> callback, object state)
    {
        // The real response started before anyone could register: nothing waits for it.
    }

    void IHttpResponseFeature.OnCompleted(Func<object, Task> callback, object state) => _realResponse.OnCompleted(callback, state);

    Stream IHttpResponseBodyFeature.Stream => _body;

    PipeWriter IHttpResponseBodyFeature.Writer => _writer ??= PipeWriter.Create(_body, new StreamPipeWriterOptions(leaveOpen: true));

    void IHttpResponseBodyFeature.DisableBuffering()
    {
    }

    Task IHttpResponseBodyFeature.StartAsync(CancellationToken cancellationToken)
    {
        _started = true;
        return Task.CompletedTask;
    }

    Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken)
        => SendFileFallback.SendFileAsync(_body, path, offset, count, cancellationToken);

    Task IHttpResponseBodyFeature.CompleteAsync() => _writer is null ? Task.CompletedTask : _writer.FlushAsync().AsTask();

    /// <summary>
    /// The body written in place of the response: an upstream event stream goes straight through,
    /// anything else (JSON) is kept, up to the inspection limit, to be sent as one event at the end.
    /// </summary>
    private sealed class Body(HeldEventStream owner) : Stream
    {
        private bool? _passThrough;

        public MemoryStream? Buffered { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            owner._started = true;
            _passThrough ??= IsEventStream(((IHttpResponseFeature)owner).Headers);
            if (_passThrough == true)
            {
                await owner._realBody.Stream.WriteAsync(buffer, cancellationToken);
                return;
            }

            Buffered ??= new MemoryStream();
            if (Buffered.Length + buffer.Length > owner._maxBodyBytes)
            {
                throw new IOException($"the tool server's answer to a held call is over {owner._maxBodyBytes} bytes");
            }

            Buffered.Write(buffer.Span);
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
            => _passThrough == true ? owner._realBody.Stream.FlushAsync(cancellationToken) : Task.CompletedTask;

        public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private static bool IsEventStream(IHeaderDictionary headers)
            => headers.ContentType.ToString().StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);
    }
}
