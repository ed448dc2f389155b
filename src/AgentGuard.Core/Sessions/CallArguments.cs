using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using AgentGuard.Audit;
using AgentGuard.Protocols;

namespace AgentGuard.Sessions;

/// <summary>
/// A call's arguments as canonical JSON text, redacted as the audit log redacts them. Made from
/// the bytes the agent sent, the text is worked out when first read: every call joins its
/// session, but oversight reads the arguments of few of them (submissions, mandated calls, the
/// calls whose results are kept as evidence).
/// </summary>
public sealed class CallArguments : IEquatable<CallArguments>
{
    /// <summary>No arguments.</summary>
    public static readonly CallArguments None = new("{}");

    private readonly AuditRedactor? _redactor;
    private byte[]? _json;
    private string? _text;

    /// <summary>Arguments already in their redacted canonical form.</summary>
    public CallArguments(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _text = text;
    }

    private CallArguments(byte[] json, AuditRedactor redactor)
    {
        _json = json;
        _redactor = redactor;
    }

    /// <summary>The arguments of a decoded call (<see cref="None"/> when it has none), redacted by <paramref name="redactor"/> when read.</summary>
    internal static CallArguments Of(JsonElement arguments, AuditRedactor redactor)
        => arguments.ValueKind == JsonValueKind.Undefined
            ? None
            : new CallArguments(JsonMarshal.GetRawUtf8Value(arguments).ToArray(), redactor);

    /// <summary>The canonical JSON text, redacted (<c>{}</c> when none).</summary>
    public string Text
    {
        get
        {
            if (Volatile.Read(ref _text) is { } text)
            {
                return text;
            }

            // The bytes go only once the text is there: a reader that finds neither lost a race it can read the result of.
            if (Volatile.Read(ref _json) is not { } json)
            {
                return Volatile.Read(ref _text)!;
            }

            var written = Write(json, _redactor!);
            var kept = Interlocked.CompareExchange(ref _text, written, null) ?? written;
            Volatile.Write(ref _json, null);
            return kept;
        }
    }

    public bool Equals(CallArguments? other) => other is not null && (ReferenceEquals(this, other) || Text == other.Text);

    public override bool Equals(object? obj) => Equals(obj as CallArguments);

    public override int GetHashCode() => Text.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Text;

    private static string Write(byte[] json, AuditRedactor redactor)
    {
        // The bytes were decoded once already, within the same depth limit.
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = McpDecoder.MaxDepth });
        var buffer = new ArrayBufferWriter<byte>(Math.Max(json.Length, 16));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            redactor.Write(writer, document.RootElement);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
