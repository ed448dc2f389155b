using System.Text;

namespace AgentGuard.Proxy;

/// <summary>The SSE copier behind partly denied batches: whole events out, answered ids noted.</summary>
public sealed class McpEventStreamTests
{
    private static readonly List<byte[]> Forwarded = [Encoding.UTF8.GetBytes("1"), Encoding.UTF8.GetBytes("\"s3\""), Encoding.UTF8.GetBytes("7")];

    [Fact]
    public async Task WriteAsync_EventsSplitAcrossChunksWithCrlf_ForwardsWholeEventsAndNotesAnswers()
    {
        var stream = "event: message\r\nid: e1\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\r\ndata: \"result\":{}}\r\n\r\n"
            + "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"id\":7}}\n\n"
            + "data:[{\"jsonrpc\":\"2.0\",\"id\":\"s3\",\"error\":{\"code\":1,\"message\":\"x\"}}]\n\n"
            + "data: {\"jsonrpc\":\"2.0\",\"id\":7,\"res";
        using var output = new MemoryStream();
        using var events = new McpEventStream(output, 1024);

        var bytes = Encoding.UTF8.GetBytes(stream);
        for (var i = 0; i < bytes.Length; i += 5)
        {
            await events.WriteAsync(bytes.AsMemory(i, Math.Min(5, bytes.Length - i)), CancellationToken.None);
        }

        // Everything up to the last whole event is out; the half event is held.
        Assert.Equal(stream[..(stream.LastIndexOf("\n\n", StringComparison.Ordinal) + 2)], Encoding.UTF8.GetString(output.ToArray()));
        Assert.True(events.Tracking);
        Assert.Equal(["7"], events.Unanswered(Forwarded).Select(Encoding.UTF8.GetString));
    }

    [Fact]
    public async Task WriteAsync_CrlfSplitBetweenChunks_EventForwardedOnceWhole()
    {
        const string sseEvent = "data: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}\r\n\r\n";
        using var output = new MemoryStream();
        using var events = new McpEventStream(output, 1024);

        await events.WriteAsync(Encoding.UTF8.GetBytes(sseEvent[..^1]), CancellationToken.None);
        Assert.Equal(0, output.Length);
        await events.WriteAsync(Encoding.UTF8.GetBytes(sseEvent[^1..]), CancellationToken.None);

        Assert.Equal(sseEvent, Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal(["1", "\"s3\""], events.Unanswered(Forwarded).Select(Encoding.UTF8.GetString));
    }

    [Fact]
    public async Task WriteAsync_BareCrLineEnds_EventsRecognised()
    {
        const string stream = "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\r\rdata: {\"jsonrpc\":\"2.0\",\"id\":\"s3\",\"result\":{}}\r\r";
        using var output = new MemoryStream();
        using var events = new McpEventStream(output, 1024);

        await events.WriteAsync(Encoding.UTF8.GetBytes(stream), CancellationToken.None);
        await events.CompleteAsync(CancellationToken.None);

        Assert.Equal(stream, Encoding.UTF8.GetString(output.ToArray()));
        // The first event is whole once the next begins; the last, ended by a CR with nothing after, is passed on unread at the end.
        Assert.Equal(["\"s3\"", "7"], events.Unanswered(Forwarded).Select(Encoding.UTF8.GetString));
    }

    [Fact]
    public async Task CompleteAsync_UnterminatedLastEvent_ForwardedAsSent()
    {
        const string stream = "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\ndata: tail";
        using var output = new MemoryStream();
        using var events = new McpEventStream(output, 1024);

        await events.WriteAsync(Encoding.UTF8.GetBytes(stream), CancellationToken.None);
        await events.CompleteAsync(CancellationToken.None);

        Assert.Equal(stream, Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task WriteAsync_EventOverLimit_ForwardedUnheldAndTrackingStops()
    {
        var big = "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"pad\":\"" + new string('x', 4096) + "\"}}\n\n";
        using var output = new MemoryStream();
        using var events = new McpEventStream(output, 1024);

        await events.WriteAsync(Encoding.UTF8.GetBytes(big[..2048]), CancellationToken.None);

        Assert.Equal(2048, output.Length);
        Assert.False(events.Tracking);
        await events.WriteAsync(Encoding.UTF8.GetBytes(big[2048..]), CancellationToken.None);
        Assert.Equal(big, Encoding.UTF8.GetString(output.ToArray()));
    }
}
