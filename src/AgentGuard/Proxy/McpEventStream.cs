using System.Buffers;
using System.Text.Json;

namespace AgentGuard.Proxy;

/// <summary>
/// Copies a tool server's SSE answer to the agent whole event by whole event, flushing each, and
/// notes which request ids its events answered. Holding the event in progress (up to a limit)
/// means a stream that breaks mid-event is never delivered half: the guard can still end it
/// with well-formed events of its own for the requests left unanswered.
/// </summary>
/// <remarks>
/// An event larger than the limit is forwarded as it comes and, from then on, answers are no
/// longer tracked (<see cref="Tracking"/> is false).
/// </remarks>
internal sealed class McpEventStream(Stream destination, int maxEventBytes) : IDisposable
{
    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
    private byte[] _pending = ArrayPool<byte>.Shared.Rent(4096);

    // _pending[0.._length) is the event in progress; [0.._scanned) has been searched for line ends,
    // and the line in progress starts at _lineStart.
    private int _length;
    private int _scanned;
    private int _lineStart;

    /// <summary>Whether every event so far was whole and its answers noted.</summary>
    public bool Tracking { get; private set; } = true;

    /// <summary>Takes the next bytes of the tool server's stream, forwarding every event they complete.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        Append(chunk.Span);
        var forwarded = false;
        while (NextLineEnd(_pending.AsSpan(0, _length), _scanned, out var end, out var next))
        {
            _scanned = next;
            if (end > _lineStart)
            {
                _lineStart = next;
                continue;
            }

            // A blank line ends the event.
            if (Tracking)
            {
                Note(_pending.AsSpan(0, next));
            }

            await destination.WriteAsync(_pending.AsMemory(0, next), cancellationToken);
            forwarded = true;
            Consume(next);
        }

        // No line end from _scanned on, but a CR last: search again from it when the next bytes come.
        _scanned = _length > _scanned && _pending[_length - 1] == (byte)'\r' ? _length - 1 : _length;
        if (_length > maxEventBytes)
        {
            // Too large to hold: forward it as it comes, and stop pretending to know what was answered.
            Tracking = false;
            await destination.WriteAsync(_pending.AsMemory(0, _length), cancellationToken);
            forwarded = true;
            Consume(_length);
        }

        if (forwarded)
        {
            await destination.FlushAsync(cancellationToken);
        }
    }

    /// <summary>The tool server's stream ended cleanly: forwards what remains (an unterminated last event, which SSE clients drop).</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (_length > 0)
        {
            await destination.WriteAsync(_pending.AsMemory(0, _length), cancellationToken);
            Consume(_length);
        }

        await destination.FlushAsync(cancellationToken);
    }

    /// <summary>The ids (raw JSON) among <paramref name="forwardedIds"/> that no forwarded event answered.</summary>
    public List<byte[]> Unanswered(List<byte[]> forwardedIds)
    {
        var unanswered = new List<byte[]>();
        foreach (var id in forwardedIds)
        {
            using var document = JsonDocument.Parse(id);
            if (!_answered.Contains(Key(document.RootElement)))
            {
                unanswered.Add(id);
            }
        }

        return unanswered;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_pending);
        _pending = [];
    }

    private void Append(ReadOnlySpan<byte> chunk)
    {
        if (_length + chunk.Length > _pending.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_pending.Length * 2, _length + chunk.Length));
            _pending.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = larger;
        }

        chunk.CopyTo(_pending.AsSpan(_length));
        _length += chunk.Length;
    }

    private void Consume(int count)
    {
        _pending.AsSpan(count, _length - count).CopyTo(_pending);
        _length -= count;
        _scanned = 0;
        _lineStart = 0;
    }

    /// <summary>
    /// Finds the first line end (CRLF, LF or CR, as SSE allows) at or after <paramref name="from"/>:
    /// where the line stops and where the next begins. A CR as the last byte held is not an end yet:
    /// an LF may follow in the next chunk (servers that end lines with a bare CR, which no MCP SDK
    /// does, have each event forwarded when the next one starts).
    /// </summary>
    private static bool NextLineEnd(ReadOnlySpan<byte> text, int from, out int end, out int next)
    {
        var found = text[from..].IndexOfAny((byte)'\r', (byte)'\n');
        end = from + found;
        next = end + 1;
        if (found < 0 || (text[end] == (byte)'\r' && next == text.Length))
        {
            return false;
        }

        if (text[end] == (byte)'\r' && text[next] == (byte)'\n')
        {
            next++;
        }

        return true;
    }

    /// <summary>Notes the ids answered by the JSON-RPC response (or batch of them) in an event's data.</summary>
    private void Note(ReadOnlySpan<byte> sseEvent)
    {
        var data = new ArrayBufferWriter<byte>(sseEvent.Length);
        var first = true;
        var start = 0;
        while (NextLineEnd(sseEvent, start, out var end, out var next))
        {
            var line = sseEvent[start..end];
            start = next;
            if (!line.StartsWith("data:"u8))
            {
                continue;
            }

            line = line[5..];
            if (line.Length > 0 && line[0] == (byte)' ')
            {
                line = line[1..];
            }

            // SSE joins an event's data lines with LF.
            if (!first)
            {
                data.Write("\n"u8);
            }

            data.Write(line);
            first = false;
        }

        if (first)
        {
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data.WrittenMemory);
        }
        catch (JsonException)
        {
            return;
        }

        using (document)
        {
            if (document.RootElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var message in document.RootElement.EnumerateArray())
                {
                    NoteMessage(message);
                }
            }
            else
            {
                NoteMessage(document.RootElement);
            }
        }
    }

    private void NoteMessage(JsonElement message)
    {
        if (message.ValueKind == JsonValueKind.Object
            && message.TryGetProperty("id"u8, out var id)
            && (message.TryGetProperty("result"u8, out _) || message.TryGetProperty("error"u8, out _)))
        {
            _answered.Add(Key(id));
        }
    }

    private static string Key(JsonElement id) => id.ValueKind == JsonValueKind.String ? "s:" + id.GetString() : "n:" + id.GetRawText();
}
