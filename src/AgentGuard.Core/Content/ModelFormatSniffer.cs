namespace AgentGuard.Content;

/// <summary>
/// Recognises model weights by the first bytes of their content, whatever the file is called. Reads
/// at most <see cref="Window"/> bytes; never throws, whatever the input.
/// </summary>
public static class ModelFormatSniffer
{
    /// <summary>How many leading bytes are enough to recognise every format (and the most ever read).</summary>
    public const int Window = 64 * 1024;

    /// <summary>The format <paramref name="prefix"/> (the first bytes of the content, at most <see cref="Window"/>) begins, or <see langword="null"/>.</summary>
    public static ModelFormat? Sniff(ReadOnlySpan<byte> prefix)
    {
        // Contract for the S3 and MCP content paths; the recognisers land with the sniffing work.
        _ = prefix;
        return null;
    }
}
