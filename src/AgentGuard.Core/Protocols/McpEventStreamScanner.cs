namespace AgentGuard.Protocols;

/// <summary>
/// Reads a tool server's SSE answer as it streams past, in chunks of any size, and hands each
/// event's data (the JSON-RPC message or batch it carries) to a <see cref="McpResultScanner"/>.
/// Holds nothing but an event field's name: data goes to the scanner as it comes.
/// </summary>
internal sealed class McpEventStreamScanner(McpResultScanner json)
{
    private const int MaxNameBytes = 8;

    private readonly byte[] _name = new byte[MaxNameBytes];
    private State _state;
    private int _nameLength;
    private bool _afterCarriageReturn;
    private bool _eventHasData;

    private enum State : byte { LineStart, Name, ValueStart, Data, SkipLine }

    /// <summary>Events whose data did not scan as whole JSON.</summary>
    public int Undecodable { get; private set; }

    /// <summary>Reads the next bytes of the stream.</summary>
    public void Feed(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length)
        {
            var b = data[i];
            if (_afterCarriageReturn)
            {
                // CRLF is one line end.
                _afterCarriageReturn = false;
                if (b == (byte)'\n')
                {
                    i++;
                    continue;
                }
            }

            switch (_state)
            {
                case State.LineStart:
                    if (b is (byte)'\r' or (byte)'\n')
                    {
                        // A blank line ends the event.
                        EndEvent();
                        LineEnd(b);
                        i++;
                    }
                    else
                    {
                        _state = State.Name;
                        _nameLength = 0;
                    }

                    break;

                case State.Name:
                    if (b == (byte)':')
                    {
                        _state = IsData() ? State.ValueStart : State.SkipLine;
                        i++;
                    }
                    else if (b is (byte)'\r' or (byte)'\n')
                    {
                        // A field with no colon has an empty value: "data" alone adds an empty line.
                        if (IsData())
                        {
                            DataLine();
                        }

                        LineEnd(b);
                        i++;
                    }
                    else
                    {
                        if (_nameLength < MaxNameBytes)
                        {
                            _name[_nameLength] = b;
                        }

                        _nameLength++;
                        i++;
                    }

                    break;

                case State.ValueStart:
                    if (b == (byte)' ')
                    {
                        i++;
                    }

                    DataLine();
                    _state = State.Data;
                    break;

                default:
                    var rest = data[i..];
                    var end = rest.IndexOfAny((byte)'\r', (byte)'\n');
                    if (_state == State.Data)
                    {
                        json.Feed(end < 0 ? rest : rest[..end]);
                    }

                    if (end < 0)
                    {
                        return;
                    }

                    LineEnd(rest[end]);
                    i += end + 1;
                    break;
            }
        }
    }

    /// <summary>The stream ended: an event not ended by a blank line is dropped, as SSE clients drop it.</summary>
    public void Complete()
    {
        if (_eventHasData)
        {
            _eventHasData = false;
            json.EndDocument();
        }
    }

    private bool IsData() => _nameLength == 4 && _name.AsSpan(0, 4).SequenceEqual("data"u8);

    /// <summary>SSE joins an event's data lines with LF, which JSON reads as whitespace.</summary>
    private void DataLine()
    {
        if (_eventHasData)
        {
            json.Feed("\n"u8);
        }

        _eventHasData = true;
    }

    private void LineEnd(byte b)
    {
        _afterCarriageReturn = b == (byte)'\r';
        _state = State.LineStart;
    }

    private void EndEvent()
    {
        if (_eventHasData)
        {
            _eventHasData = false;
            if (!json.EndDocument())
            {
                Undecodable++;
            }
        }
    }
}
