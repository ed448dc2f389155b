using System.Text;
using AgentGuard.Audit;
using AgentGuard.Protocols;
using AgentGuard.Sessions;
using BenchmarkDotNet.Attributes;

namespace AgentGuard.Benchmarks;

/// <summary>
/// The response path's cost per request (issue 11: observing may add at most 10 µs of CPU): the
/// scan of a 4 KiB tools/call result as JSON and as an SSE event, and the scan with the evidence
/// made of it (text decoded, redacted, kept in a session), as the proxy's observer does.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[BenchmarkCategory("Observation")]
public class ObservationBenchmarks
{
    private static readonly SessionLimits Limits = new();
    private byte[] _json = null!;
    private byte[] _events = null!;

    [GlobalSetup]
    public void Setup()
    {
        var sheet = new StringBuilder();
        for (var i = 1; i <= 37; i++)
        {
            sheet.Append(System.Globalization.CultureInfo.InvariantCulture, $"Sample {i:00}: question What is the capital of country {i:00}; answer City {i:00}; reference City {i:00}; verdict correct. ");
        }

        var result = """{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":""" + System.Text.Json.JsonSerializer.Serialize(sheet.ToString()) + """}],"isError":false}}""";
        _json = Encoding.UTF8.GetBytes(result);
        _events = Encoding.UTF8.GetBytes("event: message\ndata: " + result + "\n\n");
    }

    [Benchmark(Description = "Scan 4 KiB result (JSON)")]
    public int ScanJson()
    {
        var receiver = new Counting();
        using var scanner = new McpResultScanner(receiver, 3 * Limits.MaxEvidenceItemChars);
        scanner.Feed(_json);
        scanner.EndDocument();
        return receiver.Length;
    }

    [Benchmark(Description = "Scan 4 KiB result (SSE)")]
    public int ScanEvents()
    {
        var receiver = new Counting();
        using var scanner = new McpResultScanner(receiver, 3 * Limits.MaxEvidenceItemChars);
        var events = new McpEventStreamScanner(scanner);
        events.Feed(_events);
        events.Complete();
        return receiver.Length;
    }

    [Benchmark(Description = "Scan 4 KiB result and keep it as evidence")]
    public int ScanAndKeep()
    {
        var receiver = new Keeping(new Session(new SessionKey("agent", "s"), DateTimeOffset.UnixEpoch, Limits));
        using var scanner = new McpResultScanner(receiver, 3 * Limits.MaxEvidenceItemChars);
        scanner.Feed(_json);
        scanner.EndDocument();
        return receiver.Session.Evidence().Length;
    }

    private sealed class Counting : IMcpResultReceiver
    {
        public int Length { get; private set; }

        public void Result(ReadOnlySpan<byte> id, ReadOnlySpan<byte> content, bool truncated, bool isError) => Length += content.Length;
    }

    private sealed class Keeping(Session session) : IMcpResultReceiver
    {
        public Session Session => session;

        public void Result(ReadOnlySpan<byte> id, ReadOnlySpan<byte> content, bool truncated, bool isError)
        {
            var text = InlineSecrets.Redact(Encoding.UTF8.GetString(content));
            session.Add(new Evidence(DateTimeOffset.UnixEpoch, "tools/call", "read_file", null, "{}", text, truncated, isError, "ref"));
        }
    }
}
