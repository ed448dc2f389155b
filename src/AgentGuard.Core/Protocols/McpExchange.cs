using System.Text.Json;

namespace AgentGuard.Protocols;

/// <summary>
/// A decoded POST body: one message or a batch, or the reason it could not be decoded. Owns the
/// pooled memory behind the messages' <see cref="JsonElement"/>s; dispose it when the exchange is done.
/// </summary>
public sealed class McpExchange : IDisposable
{
    private readonly JsonDocument? _document;

    internal McpExchange(JsonDocument document, McpMessage[] messages, bool isBatch)
    {
        _document = document;
        Messages = messages;
        IsBatch = isBatch;
    }

    internal McpExchange(McpDecodeError error, string detail, JsonDocument? document = null)
    {
        _document = document;
        Error = error;
        ErrorDetail = detail;
        Messages = [];
    }

    /// <summary>The messages, in body order (one unless <see cref="IsBatch"/>).</summary>
    public McpMessage[] Messages { get; }

    /// <summary>Whether the body was a JSON-RPC batch (an array).</summary>
    public bool IsBatch { get; }

    /// <summary>Why decoding failed, or <see cref="McpDecodeError.None"/>.</summary>
    public McpDecodeError Error { get; }

    /// <summary>A short, agent-safe description of what was wrong with the body.</summary>
    public string? ErrorDetail { get; }

    /// <inheritdoc/>
    public void Dispose() => _document?.Dispose();
}
