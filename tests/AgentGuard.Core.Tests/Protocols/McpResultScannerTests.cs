using System.Text;

namespace AgentGuard.Protocols;

public sealed class McpResultScannerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4096)]
    public void Feed_ToolResultInChunks_ContentAndIdWhateverTheChunkSize(int chunk)
    {
        const string Body = """{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"Accuracy: 60%\nItem 3: \"wrong\" \u00e9\ud83d\ude00"},{"type":"image","data":"AAAA"},{"type":"text","text":"second"}],"structuredContent":{"score": 0.6, "items":[1,2]}}}""";

        var results = Scan(Body, chunk);

        var result = Assert.Single(results);
        Assert.Equal("7", result.Id);
        Assert.Equal("Accuracy: 60%\nItem 3: \"wrong\" é😀\nsecond\n{\"score\": 0.6, \"items\":[1,2]}", result.Content);
        Assert.False(result.Truncated);
        Assert.False(result.IsError);
    }

    [Fact]
    public void Feed_Batch_EveryResponseWithItsId()
    {
        const string Body = """[{"jsonrpc":"2.0","id":"a","result":{"content":[{"type":"text","text":"one"}]}},{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"no such tool"}},{"jsonrpc":"2.0","method":"notifications/progress","params":{}}]""";

        var results = Scan(Body, 5);

        Assert.Equal(2, results.Count);
        Assert.Equal(("\"a\"", "one", false), (results[0].Id, results[0].Content, results[0].IsError));
        Assert.Equal(("2", "no such tool", true), (results[1].Id, results[1].Content, results[1].IsError));
    }

    [Fact]
    public void Feed_IdAfterResultAndIsError_MatchedAndMarked()
    {
        var result = Assert.Single(Scan("""{"result":{"isError":true,"content":[{"text":"denied by server","type":"text"}]},"id":"x\"y","jsonrpc":"2.0"}""", 2));

        Assert.Equal("\"x\\\"y\"", result.Id);
        Assert.True(result.IsError);
        Assert.Equal("denied by server", result.Content);
    }

    [Fact]
    public void Feed_ResourceContents_TextKept()
    {
        var result = Assert.Single(Scan("""{"jsonrpc":"2.0","id":1,"result":{"contents":[{"uri":"file:///policy.md","mimeType":"text/markdown","text":"threshold: 80%"}]}}""", 7));

        Assert.Equal("threshold: 80%", result.Content);
    }

    [Fact]
    public void Feed_TextOverTheLimit_CutAndMarkedTruncated()
    {
        var text = new string('x', 10_000);
        var results = new List<(string Id, string Content, bool Truncated, bool IsError)>();
        using var scanner = new McpResultScanner(new Receiver(results), 100);
        scanner.Feed(Encoding.UTF8.GetBytes("{\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + text + "\"}]}}"));

        var result = Assert.Single(results);
        Assert.Equal(100, result.Content.Length);
        Assert.True(result.Truncated);
    }

    [Fact]
    public void Feed_RequestsAndNotifications_NoResult()
    {
        Assert.Empty(Scan("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"result":1}}}""", 3));
    }

    [Fact]
    public void Feed_NotJson_FailsWithoutThrowing()
    {
        var results = new List<(string Id, string Content, bool Truncated, bool IsError)>();
        using var scanner = new McpResultScanner(new Receiver(results), 100);
        scanner.Feed("<html>}}</html>"u8);

        Assert.True(scanner.Failed);
        Assert.False(scanner.EndDocument());
        Assert.Empty(results);
    }

    [Fact]
    public void Rent_AfterAnAnswerLeftMidway_ReadsTheNextAsANewScannerWould()
    {
        // An answer broken off inside a nested string escape, with its text cut at a small limit.
        var first = new List<(string Id, string Content, bool Truncated, bool IsError)>();
        var scanner = McpResultScanner.Rent(new Receiver(first), 8);
        scanner.Feed(Encoding.UTF8.GetBytes("""[{"jsonrpc":"2.0","id":"left","result":{"isError":true,"content":[{"type":"text","text":"more than eight \u00"""));
        scanner.Dispose();

        const string Next = """{"jsonrpc":"2.0","id":9,"result":{"content":[{"type":"text","text":"Accuracy: 60%"}]}}""";
        var reused = new List<(string Id, string Content, bool Truncated, bool IsError)>();
        var again = McpResultScanner.Rent(new Receiver(reused), 64 * 1024);
        again.Feed(Encoding.UTF8.GetBytes(Next));
        Assert.True(again.EndDocument());
        again.Dispose();

        Assert.Same(scanner, again);
        Assert.Empty(first);
        Assert.Equal(Scan(Next, 4096), reused);
    }

    private static List<(string Id, string Content, bool Truncated, bool IsError)> Scan(string body, int chunk)
    {
        var results = new List<(string Id, string Content, bool Truncated, bool IsError)>();
        using var scanner = new McpResultScanner(new Receiver(results), 64 * 1024);
        var bytes = Encoding.UTF8.GetBytes(body);
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            scanner.Feed(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)));
        }

        Assert.True(scanner.EndDocument());
        return results;
    }

    internal sealed class Receiver(List<(string Id, string Content, bool Truncated, bool IsError)> results) : IMcpResultReceiver
    {
        public void Result(ReadOnlySpan<byte> id, ReadOnlySpan<byte> content, bool truncated, bool isError)
            => results.Add((Encoding.UTF8.GetString(id), Encoding.UTF8.GetString(content), truncated, isError));
    }
}
