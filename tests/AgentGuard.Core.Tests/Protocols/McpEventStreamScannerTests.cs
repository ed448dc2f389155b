using System.Text;

namespace AgentGuard.Protocols;

public sealed class McpEventStreamScannerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(4096)]
    public void Feed_EventsWithCrLfCommentsAndSplitData_EachResultOnce(int chunk)
    {
        const string Stream = "event: message\r\nid: 1\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\r\ndata: \"result\":{\"content\":[{\"type\":\"text\",\"text\":\"first\"}]}}\r\n\r\n: comment\n\nevent: message\ndata:{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"data: second\"}]}}\n\n";

        var (results, undecodable) = Scan(Stream, chunk);

        Assert.Equal([("1", "first"), ("2", "data: second")], results.Select(r => (r.Id, r.Content)));
        Assert.Equal(0, undecodable);
    }

    [Fact]
    public void Feed_BareCrLineEndsAndAPrimingEvent_ResultFound()
    {
        var (results, undecodable) = Scan("id: 0\rdata: \r\revent: message\rdata: {\"id\":\"x\",\"result\":{\"content\":[{\"text\":\"cr\"}]}}\r\r", 3);

        Assert.Equal([("\"x\"", "cr")], results.Select(r => (r.Id, r.Content)));
        Assert.Equal(0, undecodable);
    }

    [Fact]
    public void Feed_EventWhoseDataIsNotJson_CountedAndTheNextEventStillRead()
    {
        var (results, undecodable) = Scan("data: {\"id\":1,\"result\":\n\ndata: {\"id\":2,\"result\":{\"content\":[{\"text\":\"after\"}]}}\n\n", 5);

        Assert.Equal([("2", "after")], results.Select(r => (r.Id, r.Content)));
        Assert.Equal(1, undecodable);
    }

    [Fact]
    public void Feed_FieldsNamedLikeData_NotRead()
    {
        var (results, _) = Scan("dataset: {\"id\":1,\"result\":{}}\ndat: {\"id\":1,\"result\":{}}\n\n", 4);

        Assert.Empty(results);
    }

    private static (List<(string Id, string Content, bool Truncated, bool IsError)> Results, int Undecodable) Scan(string stream, int chunk)
    {
        var results = new List<(string Id, string Content, bool Truncated, bool IsError)>();
        using var json = new McpResultScanner(new McpResultScannerTests.Receiver(results), 1000);
        var events = new McpEventStreamScanner(json);
        var bytes = Encoding.UTF8.GetBytes(stream);
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            events.Feed(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)));
        }

        events.Complete();
        return (results, events.Undecodable);
    }
}
