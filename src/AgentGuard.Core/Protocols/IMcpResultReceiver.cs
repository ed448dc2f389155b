namespace AgentGuard.Protocols;

/// <summary>Takes the JSON-RPC responses an <see cref="McpResultScanner"/> finds in a tool server's answer.</summary>
internal interface IMcpResultReceiver
{
    /// <summary>A response message ended.</summary>
    /// <param name="id">Its id as raw JSON (a quoted string or a number), as the server wrote it.</param>
    /// <param name="content">Its text as UTF-8: each text content item (<c>result.content[].text</c>, <c>result.contents[].text</c>) and <c>result.structuredContent</c> as JSON, joined by newlines; for an error, <c>error.message</c>. Valid only during the call.</param>
    /// <param name="truncated">Whether <paramref name="content"/> was cut at the scanner's limit.</param>
    /// <param name="isError">Whether it is a JSON-RPC error or a result with <c>isError: true</c>.</param>
    void Result(ReadOnlySpan<byte> id, ReadOnlySpan<byte> content, bool truncated, bool isError);
}
