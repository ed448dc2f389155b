using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using AgentGuard.Infrastructure;
using AgentGuard.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AgentGuard.Proxy;

/// <summary>
/// The response path on the wire: the tool server's answer (JSON or SSE, compressed or not, one
/// message or a batch) reaches the agent byte for byte as it was sent, and each result is kept as
/// evidence of the call it answers.
/// </summary>
public sealed class ResponseObservationTests(ITestOutputHelper output)
{
    private const string Text = "Sample 4: answer 'Paris', reference 'Lyon'; verdict wrong\napi_key=sk-live-1234";
    private const string Call = """{"jsonrpc":"2.0","id":"c-1","method":"tools/call","params":{"name":"view_sheet","arguments":{"name":"factual","token":"t0p"}}}""";
    private const string Read = """{"jsonrpc":"2.0","id":9,"method":"resources/read","params":{"uri":"file:///srv/policy.md"}}""";
    private const string Denied = """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"modify_var","arguments":{"key":"shutdown_enabled","value":"false"}}}""";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("json", null)]
    [InlineData("sse", null)]
    [InlineData("json", "gzip")]
    [InlineData("sse", "gzip")]
    [InlineData("json", "br")]
    [InlineData("sse", "deflate")]
    public async Task Post_ToolResult_AgentGetsTheSameBytesAndEvidenceIsKept(string form, string? encoding)
    {
        var sent = new List<byte[]>();
        await using var upstream = await StartUpstreamAsync(form, encoding, sent);
        var sink = new RecordingOversightSink();
        await using var guard = await StartGuardAsync(upstream, sink);

        var received = await PostAsync(guard, Call);

        Assert.Equal(Assert.Single(sent), received);
        await Poll.UntilAsync(() => !sink.Evidence.IsEmpty, "the result's evidence");
        var evidence = Assert.Single(sink.Evidence).Evidence;
        Assert.Equal(("tools/call", "view_sheet", false, false), (evidence.Method, evidence.Tool, evidence.Truncated, evidence.IsError));
        Assert.Equal("Sample 4: answer 'Paris', reference 'Lyon'; verdict wrong\napi_key=[redacted]", evidence.Content);
        Assert.Equal("""{"name":"factual","token":"[redacted]"}""", evidence.Arguments);
    }

    [Theory]
    [InlineData("json", null)]
    [InlineData("sse", "gzip")]
    public async Task Post_ObservationOff_AgentGetsTheSameBytesAsWithIt(string form, string? encoding)
    {
        var sent = new List<byte[]>();
        await using var upstream = await StartUpstreamAsync(form, encoding, sent);
        var sink = new RecordingOversightSink();
        await using var observed = await StartGuardAsync(upstream, sink);
        await using var unobserved = await TestGuard.StartAsync(output, upstream.Address, settings: new Dictionary<string, string?> { ["AgentGuard:Sessions:Observe"] = "false" });

        var withObservation = await PostAsync(observed, Call);
        var withoutObservation = await PostAsync(unobserved, Call);

        Assert.Equal(withoutObservation, withObservation);
        Assert.Equal(sent[0], withObservation);

        // A compressed answer is decoded for observation on a pool thread, after the agent has it.
        await Poll.UntilAsync(() => !sink.Evidence.IsEmpty, "the result's evidence");
        Assert.Single(sink.Evidence);
    }

    [Fact]
    public async Task Post_BatchOfCallAndResourceRead_EachResultEvidenceOfItsRequest()
    {
        var sent = new List<byte[]>();
        await using var upstream = await StartUpstreamAsync("json", null, sent);
        var sink = new RecordingOversightSink();
        await using var guard = await StartGuardAsync(upstream, sink);

        var received = await PostAsync(guard, "[" + Call + "," + Read + "]");

        Assert.Equal(Assert.Single(sent), received);
        await Poll.UntilAsync(() => sink.Evidence.Count == 2, "both results' evidence");
        var evidence = sink.Evidence.Select(e => e.Evidence).OrderBy(e => e.Method, StringComparer.Ordinal).ToList();
        Assert.Equal(("resources/read", "file:///srv/policy.md", null), (evidence[0].Method, evidence[0].Resource, evidence[0].Tool));
        Assert.Equal(("tools/call", "view_sheet"), (evidence[1].Method, evidence[1].Tool));
    }

    [Fact]
    public async Task Post_PartlyDeniedBatch_MergedAnswerObservedForTheForwardedCallOnly()
    {
        var sent = new List<byte[]>();
        await using var upstream = await StartUpstreamAsync("json", "gzip", sent);
        var sink = new RecordingOversightSink();
        await using var guard = await StartGuardAsync(upstream, sink);

        var received = await PostAsync(guard, "[" + Call + "," + Denied + "]");

        using var answer = JsonDocument.Parse(received);
        Assert.Equal(2, answer.RootElement.GetArrayLength());
        await Poll.UntilAsync(() => !sink.Evidence.IsEmpty, "the forwarded call's evidence");
        Assert.Equal("view_sheet", Assert.Single(sink.Evidence).Evidence.Tool);

        // The denied call is a decided call of the session too, so oversight sees the refusal.
        Assert.Equal(["view_sheet", "modify_var"], sink.Calls.Select(c => c.Call.Tool));
        Assert.Equal(Policy.DecisionKind.Deny, sink.Calls.Last().Call.Decision);
    }

    [Fact]
    public async Task Post_SseResultAfterAProgressEvent_AgentGetsTheFirstEventBeforeTheResultExists()
    {
        var readFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            await ReceivedRequest.ReadAsync(context.Request);
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":1,\"progress\":1}}\n\n");
            await context.Response.Body.FlushAsync();

            // The result is written only once the agent has the first event: a guard that held the
            // stream (to observe it whole) would never let this test finish.
            await readFirst.Task.WaitAsync(Deadline);
            await context.Response.WriteAsync("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":\"c-1\",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"late result\"}]}}\n\n");
        });
        var sink = new RecordingOversightSink();
        await using var guard = await StartGuardAsync(upstream, sink);
        using var http = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(guard.DataAddress, "/mcp")) { Content = new StringContent(Call, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Deadline);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("event: message", await reader.ReadLineAsync().WaitAsync(Deadline));
        Assert.Contains("notifications/progress", await reader.ReadLineAsync().WaitAsync(Deadline), StringComparison.Ordinal);
        Assert.Empty(sink.Evidence);
        readFirst.SetResult();
        var rest = await reader.ReadToEndAsync().WaitAsync(Deadline);

        Assert.Contains("late result", rest, StringComparison.Ordinal);
        await Poll.UntilAsync(() => !sink.Evidence.IsEmpty, "the late result's evidence");
        Assert.Equal("late result", Assert.Single(sink.Evidence).Evidence.Content);
    }

    [Fact]
    public async Task Get_ResultResumedOnTheSessionStream_EvidenceOfThePostedCall()
    {
        const string Result = "{\"jsonrpc\":\"2.0\",\"id\":\"c-1\",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"resumed result\"}]}}";
        await using var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            await ReceivedRequest.ReadAsync(context.Request);
            context.Response.ContentType = "text/event-stream";

            // The POST's stream ends after its priming event, before the result; the result comes
            // on the session's GET stream, as a server does when the client resumes.
            await context.Response.WriteAsync(HttpMethods.IsPost(context.Request.Method)
                ? "id: 1\ndata: \n\n"
                : "id: 2\nevent: message\ndata: " + Result + "\n\n");
        });
        var sink = new RecordingOversightSink();
        await using var guard = await StartGuardAsync(upstream, sink);
        using var http = new HttpClient();
        await PostAsync(guard, Call, request => request.Headers.Add("Mcp-Session-Id", "s-1"));
        Assert.Empty(sink.Evidence);

        var get = new HttpRequestMessage(HttpMethod.Get, new Uri(guard.DataAddress, "/mcp"));
        get.Headers.Accept.ParseAdd("text/event-stream");
        get.Headers.Add("Mcp-Session-Id", "s-1");
        get.Headers.Add("Last-Event-ID", "1");
        var response = await http.SendAsync(get).WaitAsync(Deadline);

        Assert.Contains("resumed result", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Poll.UntilAsync(() => !sink.Evidence.IsEmpty, "the resumed result's evidence");
        var (session, evidence) = Assert.Single(sink.Evidence);
        Assert.Equal(("s-1", "view_sheet", "resumed result"), (session.Key.Id, evidence.Tool, evidence.Content));
    }

    [Fact]
    public async Task Post_EndToolAnsweredCompressed_SessionEndsAfterItsResultIsEvidence()
    {
        var sent = new List<byte[]>();
        await using var upstream = await StartUpstreamAsync("sse", "gzip", sent);
        var sink = new RecordingOversightSink();
        await using var guard = await StartGuardAsync(upstream, sink);

        await PostAsync(guard, """{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"end_task","arguments":{}}}""");

        await Poll.UntilAsync(() => !sink.Ended.IsEmpty, "the session's end");
        Assert.Equal(SessionEndReason.EndTool, Assert.Single(sink.Ended).Reason);
        Assert.Equal(1, Assert.Single(sink.EvidenceAtEnd));
        Assert.Equal("end_task", Assert.Single(sink.Evidence).Evidence.Tool);
    }

    [Fact]
    public async Task Post_UpstreamAnswersHtml_AgentGetsItAndNothingIsEvidence()
    {
        await using var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            context.Response.StatusCode = 502;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html>bad gateway</html>");
        });
        var sink = new RecordingOversightSink();
        await using var guard = await StartGuardAsync(upstream, sink);
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None });

        var response = await Mcp.PostAsync(http, new Uri(guard.DataAddress, "/mcp"), Call).WaitAsync(Deadline);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("<html>bad gateway</html>", await response.Content.ReadAsStringAsync());
        Assert.Empty(sink.Evidence);
        await Poll.UntilAsync(async () => (await ScrapeAsync(guard)).Contains("agentguard_evidence_dropped_total{reason=\"undecodable\"} 1", StringComparison.Ordinal), "the undecodable answer counted");
    }

    [Fact]
    public async Task Post_MoreResultsThanTheSessionCap_DroppedAndCounted()
    {
        var sent = new List<byte[]>();
        await using var upstream = await StartUpstreamAsync("json", null, sent);
        var sink = new RecordingOversightSink();
        await using var guard = await StartGuardAsync(upstream, sink, new Dictionary<string, string?> { ["AgentGuard:Sessions:MaxEvidenceItems"] = "1" });

        await PostAsync(guard, Call);
        await PostAsync(guard, Call);

        // What is over the cap is not evidence: not kept, and not handed to oversight either.
        string metrics = "";
        await Poll.UntilAsync(async () => (metrics = await ScrapeAsync(guard)).Contains("agentguard_evidence_dropped_total{reason=\"cap\"} 1", StringComparison.Ordinal), "the second result dropped");
        Assert.Single(sink.Evidence);
        Assert.Single(sink.Evidence.First().Session.Evidence());
        Assert.Contains("agentguard_evidence_dropped_total{reason=\"cap\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("agentguard_evidence_observed_total 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_ResultsOfManySessionsOverTheBudget_OldestSessionsLoseTheirsAndTheBytesStayCapped()
    {
        const int Cap = 2000;
        var sent = new List<byte[]>();
        await using var upstream = await StartUpstreamAsync("json", null, sent);
        var sink = new RecordingOversightSink();
        await using var guard = await StartGuardAsync(upstream, sink, new Dictionary<string, string?> { ["AgentGuard:Sessions:MaxEvidenceBytes"] = Cap.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        for (var i = 0; i < 12; i++)
        {
            var session = "run-" + i;
            await PostAsync(guard, Call, request => request.Headers.Add("Mcp-Session-Id", session));
            await Poll.UntilAsync(() => Task.FromResult(sink.Evidence.Count == i + 1), "the result of run " + i + " observed");
        }

        string metrics = "";
        await Poll.UntilAsync(async () => (metrics = await ScrapeAsync(guard)).Contains("agentguard_evidence_dropped_total{reason=\"budget\"}", StringComparison.Ordinal), "budget drops counted");
        var sessions = sink.Evidence.Select(e => e.Session).ToList();
        Assert.Single(sessions[^1].Evidence());
        Assert.Empty(sessions[0].Evidence());
        var held = sessions.Sum(session => session.Evidence().Length);
        Assert.InRange(held, 1, 5);
        Assert.Contains($"agentguard_evidence_dropped_total{{reason=\"budget\"}} {12 - held}", metrics, StringComparison.Ordinal);
        var bytes = double.Parse(metrics.Split('\n').Single(line => line.StartsWith("agentguard_evidence_bytes ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(bytes, 1, Cap);
    }

    /// <summary>A guard in front of <paramref name="upstream"/> that hands oversight's events to <paramref name="sink"/>.</summary>
    private Task<GuardHost> StartGuardAsync(TestUpstream upstream, RecordingOversightSink sink, IDictionary<string, string?>? settings = null)
        => TestGuard.StartAsync(output, upstream.Address, settings: settings, services: services => services.AddSingleton<Oversight.IOversightSink>(sink));

    /// <summary>A tool server that answers each request of a POST with <see cref="Text"/>, as JSON or SSE, compressed or not, and remembers the bytes it sent.</summary>
    private static Task<TestUpstream> StartUpstreamAsync(string form, string? encoding, List<byte[]> sent)
        => TestUpstream.StartAsync(async (context, self) =>
        {
            var request = await ReceivedRequest.ReadAsync(context.Request);
            using var document = JsonDocument.Parse(request.Body);
            var messages = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.EnumerateArray().ToList() : [document.RootElement];
            var answers = messages
                .Where(m => m.TryGetProperty("id", out _))
                .Select(m => $$"""{"jsonrpc":"2.0","id":{{m.GetProperty("id").GetRawText()}},"result":{{Result(m)}}}""")
                .ToList();
            var body = form == "sse"
                ? string.Concat(answers.Select(a => "event: message\ndata: " + a + "\n\n"))
                : document.RootElement.ValueKind == JsonValueKind.Array ? "[" + string.Join(",", answers) + "]" : answers[0];
            var bytes = Encoding.UTF8.GetBytes(body);
            if (encoding is not null)
            {
                bytes = Compress(bytes, encoding);
                context.Response.Headers.ContentEncoding = encoding;
            }

            lock (sent)
            {
                sent.Add(bytes);
            }

            context.Response.ContentType = form == "sse" ? "text/event-stream" : "application/json";

            // In pieces, as a server streams: the observer must read across chunk boundaries.
            for (var i = 0; i < bytes.Length; i += 7)
            {
                await context.Response.Body.WriteAsync(bytes.AsMemory(i, Math.Min(7, bytes.Length - i)));
                await context.Response.Body.FlushAsync();
            }
        });

    private static string Result(JsonElement request)
    {
        var text = JsonSerializer.Serialize(Text);
        return request.GetProperty("method").GetString() == "resources/read"
            ? $$"""{"contents":[{"uri":"file:///srv/policy.md","mimeType":"text/markdown","text":"threshold: 80%"}]}"""
            : $$"""{"content":[{"type":"text","text":{{text}}}],"isError":false}""";
    }

    private static async Task<byte[]> PostAsync(GuardHost guard, string body, Action<HttpRequestMessage>? configure = null)
    {
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None });
        var response = await Mcp.PostAsync(http, new Uri(guard.DataAddress, "/mcp"), body, configure).WaitAsync(Deadline);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task<string> ScrapeAsync(GuardHost guard)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri(guard.AdminAddress, "/metrics"));
    }

    private static byte[] Compress(byte[] bytes, string encoding)
    {
        using var buffer = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(buffer, CompressionLevel.Fastest),
            "deflate" => new ZLibStream(buffer, CompressionLevel.Fastest),
            _ => new BrotliStream(buffer, CompressionLevel.Fastest),
        })
        {
            compressor.Write(bytes);
        }

        return buffer.ToArray();
    }
}
