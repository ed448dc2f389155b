using System.Buffers;
using System.Text;

namespace AgentGuard.Protocols;

/// <summary>
/// Reads JSON-RPC responses (one message or a batch) as their bytes stream past, in chunks of any
/// size, and hands each response's id and text to a receiver: what a tool result told the agent.
/// </summary>
/// <remarks>
/// <para>
/// A hand-written scanner rather than <c>Utf8JsonReader</c>: a reader needs a whole token in one
/// buffer, and a tool result is mostly one long string, so it would have to hold the whole result.
/// This one keeps only bounded state (the nesting, the key in progress, the id, and the text up to
/// the limit) whatever the size of the answer, and skips everything it does not keep with
/// vectorised searches, so a 4 KiB result costs a few searches rather than a pass per byte.
/// </para>
/// <para>
/// It reads, it does not validate: the agent gets the tool server's bytes either way, and what
/// does not scan as JSON is simply not evidence (<see cref="Failed"/>).
/// </para>
/// </remarks>
internal sealed class McpResultScanner : IDisposable
{
    private const int MaxDepth = 64;
    private const int MaxKeyBytes = 24;
    private const int MaxIdBytes = 128;
    private const int InitialContentBytes = 4096;

    private static readonly SearchValues<byte> ScalarEnd = SearchValues.Create(",}] \t\r\n"u8);
    private static readonly SearchValues<byte> Whitespace = SearchValues.Create(" \t\r\n"u8);

    // One scanner kept per thread for the next response: most responses are read on the thread
    // that read the one before, and its state arrays are most of what observing allocates.
    [ThreadStatic]
    private static McpResultScanner? t_spare;

    private IMcpResultReceiver _receiver;
    private int _maxContentBytes;
    private readonly Role[] _roles = new Role[MaxDepth + 1];
    private readonly bool[] _isObject = new bool[MaxDepth + 1];
    private readonly byte[] _keyBytes = new byte[MaxKeyBytes];
    private readonly byte[] _id = new byte[MaxIdBytes];
    private byte[] _content = [];

    private int _depth;
    private Lex _lex;
    private Capture _capture;
    private Key _key;
    private bool _expectKey;
    private int _keyLength;
    private bool _keyUnusable;
    private int _idLength;
    private bool _idUnusable;
    private int _contentLength;
    private bool _truncated;
    private bool _hasResponse;
    private bool _isError;
    private bool _raw;
    private int _rawDepth;
    private int _unicode;
    private int _unicodeDigits;
    private int _highSurrogate;
    private bool _disposed;

    /// <param name="receiver">Takes each response.</param>
    /// <param name="maxContentBytes">The most bytes of text kept per response; the rest is dropped and the response marked truncated.</param>
    public McpResultScanner(IMcpResultReceiver receiver, int maxContentBytes)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentOutOfRangeException.ThrowIfNegative(maxContentBytes);
        _receiver = receiver;
        _maxContentBytes = maxContentBytes;
        _roles[0] = Role.Root;
    }

    /// <summary>A scanner for a new answer: this thread's spare one, reset, or a new one. <see cref="Dispose"/> gives it back.</summary>
    public static McpResultScanner Rent(IMcpResultReceiver receiver, int maxContentBytes)
    {
        var scanner = t_spare;
        if (scanner is null)
        {
            return new McpResultScanner(receiver, maxContentBytes);
        }

        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentOutOfRangeException.ThrowIfNegative(maxContentBytes);
        t_spare = null;
        scanner._receiver = receiver;
        scanner._maxContentBytes = maxContentBytes;
        scanner._disposed = false;
        return scanner;
    }

    private enum Role : byte { None, Root, Batch, Message, Result, Error, ContentList, ContentItem }

    private enum Key : byte { None, Other, Id, Result, Error, Content, Contents, StructuredContent, IsError, Text, Message }

    private enum Lex : byte { Between, String, StringEscape, StringUnicode, Scalar }

    private enum Capture : byte { None, Key, Id, Text }

    /// <summary>Whether the bytes stopped scanning as JSON (nested too deep, or closing what was never opened); nothing more is read until <see cref="EndDocument"/>.</summary>
    public bool Failed { get; private set; }

    /// <summary>Reads the next bytes.</summary>
    public void Feed(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length && !Failed)
        {
            var start = i;
            var raw = _raw;
            i = _lex switch
            {
                Lex.String => InString(data, i),
                Lex.StringEscape => Escape(data[i], i),
                Lex.StringUnicode => Unicode(data[i], i),
                Lex.Scalar => InScalar(data, i),
                _ => Between(data, i),
            };

            // The value of structuredContent is kept as the server wrote it; the bytes that open and
            // close it are added where that happens.
            if (raw && _raw)
            {
                AppendContent(data[start..i]);
            }
        }
    }

    /// <summary>A document ended (the body, or an SSE event's data): true when it was whole; the scanner is ready for the next.</summary>
    public bool EndDocument()
    {
        var whole = !Failed && _depth == 0 && _lex is Lex.Between or Lex.Scalar;
        _depth = 0;
        _lex = Lex.Between;
        _capture = Capture.None;
        _key = Key.None;
        _expectKey = false;
        _raw = false;
        Failed = false;
        ResetMessage();
        return whole;
    }

    /// <summary>Returns the text buffer to the pool; a scanner from <see cref="Rent"/> becomes its thread's spare, and must not be used again.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_content.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_content);
            _content = [];
        }

        // Ready for the next answer, holding nothing of this one (the receiver is the observer of it).
        EndDocument();
        _keyLength = 0;
        _keyUnusable = false;
        _rawDepth = 0;
        _unicode = 0;
        _unicodeDigits = 0;
        _id.AsSpan().Clear();
        _keyBytes.AsSpan().Clear();
        _receiver = NoReceiver.Instance;
        t_spare ??= this;
    }

    private sealed class NoReceiver : IMcpResultReceiver
    {
        public static readonly NoReceiver Instance = new();

        public void Result(ReadOnlySpan<byte> id, ReadOnlySpan<byte> content, bool truncated, bool isError)
        {
        }
    }

    private int Between(ReadOnlySpan<byte> data, int i)
    {
        var skip = data[i..].IndexOfAnyExcept(Whitespace);
        if (skip < 0)
        {
            return data.Length;
        }

        i += skip;
        var b = data[i];
        switch (b)
        {
            case (byte)'{' or (byte)'[':
                Open(b);
                break;
            case (byte)'}' or (byte)']':
                Close(b);
                break;
            case (byte)',':
                _expectKey = _isObject[_depth];
                _key = Key.None;
                break;
            case (byte)':':
                _expectKey = false;
                break;
            case (byte)'"':
                StartString();
                break;
            default:
                StartScalar(b);
                break;
        }

        return i + 1;
    }

    private void Open(byte b)
    {
        var isObject = b == (byte)'{';
        var parent = _roles[_depth];
        var key = TakeKey(parent);
        var role = Role.None;
        if (!_raw)
        {
            switch (parent)
            {
                case Role.Root:
                    role = isObject ? Role.Message : Role.Batch;
                    break;
                case Role.Batch when isObject:
                    role = Role.Message;
                    break;
                case Role.Message when key == Key.Result && isObject:
                    role = Role.Result;
                    break;
                case Role.Message when key == Key.Error && isObject:
                    role = Role.Error;
                    break;
                case Role.Result when key is Key.Content or Key.Contents && !isObject:
                    role = Role.ContentList;
                    break;
                case Role.Result when key == Key.StructuredContent:
                    Separate();
                    _raw = true;
                    _rawDepth = _depth;
                    AppendContent([b]);
                    break;
                case Role.ContentList when isObject:
                    role = Role.ContentItem;
                    break;
            }
        }

        if (_depth == MaxDepth)
        {
            Failed = true;
            return;
        }

        _depth++;
        _roles[_depth] = role;
        _isObject[_depth] = isObject;
        _expectKey = isObject;
        if (role == Role.Message)
        {
            ResetMessage();
        }
    }

    private void Close(byte b)
    {
        if (_depth == 0 || _isObject[_depth] != (b == (byte)'}'))
        {
            Failed = true;
            return;
        }

        if (_raw && _depth == _rawDepth + 1)
        {
            AppendContent([b]);
            _raw = false;
        }

        var role = _roles[_depth];
        _depth--;
        _expectKey = false;
        _key = Key.None;
        if (role == Role.Message)
        {
            if (_hasResponse && _idLength > 0 && !_idUnusable)
            {
                _receiver.Result(_id.AsSpan(0, _idLength), _content.AsSpan(0, _contentLength), _truncated, _isError);
            }

            ResetMessage();
        }
    }

    /// <summary>The key whose value starts now, noting a message's result or error on the way.</summary>
    private Key TakeKey(Role parent)
    {
        var key = _key;
        _key = Key.None;
        if (parent == Role.Message && key is Key.Result or Key.Error)
        {
            _hasResponse = true;
            _isError |= key == Key.Error;
        }

        return key;
    }

    private void StartString()
    {
        _lex = Lex.String;
        if (_expectKey)
        {
            _capture = Capture.Key;
            _keyLength = 0;
            _keyUnusable = false;
            return;
        }

        var parent = _roles[_depth];
        var key = TakeKey(parent);
        if (_raw)
        {
            _capture = Capture.None;
        }
        else if (parent == Role.Message && key == Key.Id)
        {
            _capture = Capture.Id;
            AppendId((byte)'"');
        }
        else if ((parent == Role.ContentItem && key == Key.Text) || (parent == Role.Error && key == Key.Message))
        {
            _capture = Capture.Text;
            Separate();
        }
        else
        {
            _capture = Capture.None;
        }
    }

    private void StartScalar(byte b)
    {
        _lex = Lex.Scalar;
        var parent = _roles[_depth];
        var key = TakeKey(parent);
        _capture = Capture.None;
        if (_raw)
        {
            return;
        }

        if (parent == Role.Message && key == Key.Id)
        {
            _capture = Capture.Id;
            AppendId(b);
        }
        else if (parent == Role.Result && key == Key.IsError && b == (byte)'t')
        {
            _isError = true;
        }
    }

    private int InScalar(ReadOnlySpan<byte> data, int i)
    {
        var rest = data[i..];
        var end = rest.IndexOfAny(ScalarEnd);
        var run = end < 0 ? rest : rest[..end];
        if (_capture == Capture.Id)
        {
            foreach (var b in run)
            {
                AppendId(b);
            }
        }

        if (end < 0)
        {
            return data.Length;
        }

        // The delimiter is the next token's: Between reads it.
        _lex = Lex.Between;
        _capture = Capture.None;
        return i + end;
    }

    private int InString(ReadOnlySpan<byte> data, int i)
    {
        var rest = data[i..];
        var stop = rest.IndexOfAny((byte)'"', (byte)'\\');
        var run = stop < 0 ? rest : rest[..stop];
        Keep(run);
        if (stop < 0)
        {
            return data.Length;
        }

        if (rest[stop] == (byte)'"')
        {
            EndString();
        }
        else
        {
            _lex = Lex.StringEscape;
            if (_capture == Capture.Id)
            {
                AppendId((byte)'\\');
            }
        }

        return i + stop + 1;
    }

    private void Keep(ReadOnlySpan<byte> run)
    {
        if (run.IsEmpty)
        {
            return;
        }

        switch (_capture)
        {
            case Capture.Text:
                FlushSurrogate();
                AppendContent(run);
                break;
            case Capture.Key:
                if (_keyLength + run.Length > MaxKeyBytes)
                {
                    _keyUnusable = true;
                }
                else
                {
                    run.CopyTo(_keyBytes.AsSpan(_keyLength));
                    _keyLength += run.Length;
                }

                break;
            case Capture.Id:
                foreach (var b in run)
                {
                    AppendId(b);
                }

                break;
        }
    }

    private void EndString()
    {
        _lex = Lex.Between;
        switch (_capture)
        {
            case Capture.Key:
                _key = _keyUnusable ? Key.Other : Match(_keyBytes.AsSpan(0, _keyLength));
                _expectKey = false;
                break;
            case Capture.Id:
                AppendId((byte)'"');
                break;
            case Capture.Text:
                FlushSurrogate();
                break;
        }

        _capture = Capture.None;
    }

    private int Escape(byte b, int i)
    {
        _lex = Lex.String;
        switch (_capture)
        {
            case Capture.Id:
                // Ids are compared as the server wrote them, escapes and all.
                AppendId(b);
                break;
            case Capture.Key:
                // No key the scanner looks for is written with escapes; one that is stays unmatched.
                _keyUnusable = true;
                break;
            case Capture.Text when b == (byte)'u':
                _lex = Lex.StringUnicode;
                _unicode = 0;
                _unicodeDigits = 0;
                break;
            case Capture.Text:
                FlushSurrogate();
                var unescaped = b switch
                {
                    (byte)'n' => (byte)'\n',
                    (byte)'t' => (byte)'\t',
                    (byte)'r' => (byte)'\r',
                    (byte)'b' => (byte)'\b',
                    (byte)'f' => (byte)'\f',
                    _ => b,
                };
                AppendContent([unescaped]);
                break;
        }

        // A \u escape's four hex digits are never a quote or a backslash, so a string that is not
        // kept reads them as plain bytes.
        return i + 1;
    }

    private int Unicode(byte b, int i)
    {
        var digit = HexDigit(b);
        if (digit < 0)
        {
            // Not JSON; keep reading the string from this byte.
            _lex = Lex.String;
            return i;
        }

        _unicode = (_unicode << 4) | digit;
        if (++_unicodeDigits < 4)
        {
            return i + 1;
        }

        _lex = Lex.String;
        if (char.IsHighSurrogate((char)_unicode))
        {
            FlushSurrogate();
            _highSurrogate = _unicode;
        }
        else if (char.IsLowSurrogate((char)_unicode) && _highSurrogate != 0)
        {
            AppendRune(new Rune((char)_highSurrogate, (char)_unicode));
            _highSurrogate = 0;
        }
        else
        {
            FlushSurrogate();
            AppendRune(char.IsSurrogate((char)_unicode) ? Rune.ReplacementChar : new Rune(_unicode));
        }

        return i + 1;
    }

    private void FlushSurrogate()
    {
        if (_highSurrogate != 0)
        {
            _highSurrogate = 0;
            AppendRune(Rune.ReplacementChar);
        }
    }

    private void AppendRune(Rune rune)
    {
        Span<byte> utf8 = stackalloc byte[4];
        AppendContent(utf8[..rune.EncodeToUtf8(utf8)]);
    }

    private static int HexDigit(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static Key Match(ReadOnlySpan<byte> key) => key.Length switch
    {
        2 when key.SequenceEqual("id"u8) => Key.Id,
        4 when key.SequenceEqual("text"u8) => Key.Text,
        5 when key.SequenceEqual("error"u8) => Key.Error,
        6 when key.SequenceEqual("result"u8) => Key.Result,
        7 when key.SequenceEqual("content"u8) => Key.Content,
        7 when key.SequenceEqual("isError"u8) => Key.IsError,
        7 when key.SequenceEqual("message"u8) => Key.Message,
        8 when key.SequenceEqual("contents"u8) => Key.Contents,
        17 when key.SequenceEqual("structuredContent"u8) => Key.StructuredContent,
        _ => Key.Other,
    };

    private void AppendId(byte b)
    {
        if (_idLength == MaxIdBytes)
        {
            _idUnusable = true;
            return;
        }

        _id[_idLength++] = b;
    }

    /// <summary>A newline between the pieces of one response's text.</summary>
    private void Separate()
    {
        if (_contentLength > 0)
        {
            AppendContent("\n"u8);
        }
    }

    private void AppendContent(ReadOnlySpan<byte> bytes)
    {
        var room = _maxContentBytes - _contentLength;
        if (bytes.Length > room)
        {
            _truncated = true;
            bytes = bytes[..room];
            if (bytes.IsEmpty)
            {
                return;
            }
        }

        if (_contentLength + bytes.Length > _content.Length)
        {
            var size = Math.Min(Math.Max(InitialContentBytes, Math.Max(_content.Length * 2, _contentLength + bytes.Length)), _maxContentBytes);
            var larger = ArrayPool<byte>.Shared.Rent(size);
            _content.AsSpan(0, _contentLength).CopyTo(larger);
            if (_content.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_content);
            }

            _content = larger;
        }

        bytes.CopyTo(_content.AsSpan(_contentLength));
        _contentLength += bytes.Length;
    }

    private void ResetMessage()
    {
        _idLength = 0;
        _idUnusable = false;
        _contentLength = 0;
        _truncated = false;
        _hasResponse = false;
        _isError = false;
        _highSurrogate = 0;
    }
}
