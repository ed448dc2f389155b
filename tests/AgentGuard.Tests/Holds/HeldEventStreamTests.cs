using System.Text;
using System.Text.Json;
using AgentGuard.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace AgentGuard.Holds;

/// <summary>
/// The event stream a held call's answer goes into, on the wire, against upstreams that answer as
/// JSON over several lines or as their own event stream: the agent reads exactly the upstream's
/// messages after the guard's progress notifications.
/// </summary>
public sealed class HeldEventStreamTests(ITestOutputHelper output)
{
    private const string HeldCall = """{"jsonrpc":"2.0","id":"h1","method":"tools/call","params":{"name":"delete_server_file","arguments":{"ip":"10.0.12.45","filename":"a.txt"},"_meta":{"progressToken":"tok-1"}}}""";
    private static readonly Dictionary<string, string?> EverySecond = new() { ["AgentGuard:Holds:ProgressInterval"] = "00:00:01" };

    [Theory]
    [InlineData("application/json", "{\n  \"jsonrpc\": \"2.0\",\r\n  \"id\": \"h1\",\n  \"result\": {\"content\": [{\"type\": \"text\", \"text\": \"line one\\nline two\"}]}\n}")]
    [InlineData("text/event-stream", "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"working\"}}\n\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":\"h1\",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"line one\\nline two\"}]}}\n\n")]
    public async Task ApprovedWithProgress_UpstreamAnswer_ReachesTheAgentAsEventsAfterProgress(string contentType, string answer)
    {
        await using var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            await ReceivedRequest.ReadAsync(context.Request);
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(answer);
        });
        await using var setup = await HoldingGuard.StartAsync(output, upstream.Address, EverySecond);
        using var http = new HttpClient();

        using var request = new HttpRequestMessage(HttpMethod.Post, setup.Endpoint) { Content = new StringContent(HeldCall, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var text = new StringBuilder();
        while (CountProgress(text.ToString()) < 2)
        {
            text.Append(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))).Append('\n');
        }

        var held = Assert.Single(await setup.HeldAsync());
        await setup.VoteAsync(HoldingGuard.AliceToken, held, "approve");
        text.Append(await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        var messages = Events(text.ToString());
        var progress = messages.TakeWhile(IsProgress).ToList();
        Assert.True(progress.Count >= 2, $"{progress.Count} progress notifications");
        Assert.All(progress, p => Assert.Equal("tok-1", p.GetProperty("params").GetProperty("progressToken").GetString()));
        Assert.Equal(progress.Select((_, i) => i + 1.0), progress.Select(p => p.GetProperty("params").GetProperty("progress").GetDouble()));
        var final = messages[^1];
        Assert.Equal("h1", final.GetProperty("id").GetString());
        Assert.Equal("line one\nline two", final.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
    }

    private static bool IsProgress(JsonElement message)
        => message.TryGetProperty("method", out var method) && method.GetString() == "notifications/progress";

    private static int CountProgress(string stream) => stream.EndsWith("\n\n", StringComparison.Ordinal) ? Events(stream).Count(IsProgress) : 0;

    /// <summary>The JSON of each SSE event, its <c>data:</c> lines joined with line breaks as the SSE spec says.</summary>
    private static List<JsonElement> Events(string stream)
    {
        var events = new List<JsonElement>();
        foreach (var block in stream.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var data = new StringBuilder();
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Append(data.Length > 0 ? "\n" : string.Empty).Append(line.AsSpan(line.StartsWith("data: ", StringComparison.Ordinal) ? 6 : 5));
                }
            }

            if (data.Length > 0)
            {
                events.Add(JsonDocument.Parse(data.ToString()).RootElement.Clone());
            }
        }

        return events;
    }
}
