using System.Net;
using System.Text;
using AgentGuard.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace AgentGuard.Proxy;

/// <summary>Responses and uninspected bodies stream through as they are produced.</summary>
public sealed class StreamingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Post_SseResponse_FirstEventReachesAgentBeforeToolServerFinishes()
    {
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await TestUpstream.StartAsync(async (context, _) =>
        {
            await ReceivedRequest.ReadAsync(context.Request);
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progress\":1}}\n\n");
            await context.Response.Body.FlushAsync();
            await finish.Task.WaitAsync(Deadline);
            await context.Response.WriteAsync("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}\n\n");
        });
        await using var guard = await TestGuard.StartAsync(output, upstream.Address);
        using var http = new HttpClient();

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(guard.DataAddress, "/mcp"))
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_files"}}""", Encoding.UTF8, "application/json"),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var first = await ReadEventAsync(reader).WaitAsync(Deadline);
        Assert.Contains("notifications/progress", first, StringComparison.Ordinal);
        Assert.False(finish.Task.IsCompleted);

        finish.SetResult();
        var second = await ReadEventAsync(reader).WaitAsync(Deadline);
        Assert.Contains("\"id\":1", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_UninspectedRoute_StreamsLargeBodyUnread()
    {
        long received = 0;
        await using var upstream = await TestUpstream.StartAsync(async (context, _) =>
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
            {
                received += read;
            }

            context.Response.StatusCode = StatusCodes.Status204NoContent;
        });
        var settings = new Dictionary<string, string?>
        {
            ["AgentGuard:Upstream"] = null,
            ["ReverseProxy:Routes:weights:ClusterId"] = "store",
            ["ReverseProxy:Routes:weights:Match:Path"] = "/weights/{**rest}",
            ["ReverseProxy:Routes:weights:Metadata:AgentGuard.Inspect"] = "none",
            ["ReverseProxy:Routes:mcp:ClusterId"] = "store",
            ["ReverseProxy:Routes:mcp:Match:Path"] = "/mcp",
            ["ReverseProxy:Clusters:store:Destinations:d1:Address"] = upstream.Address.ToString(),
        };
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, settings: settings);
        using var http = new HttpClient();

        // 32 MiB of not-JSON: far over the inspection limit, so only an uninspected route can pass it.
        var size = 32L * 1024 * 1024;
        var response = await http.PostAsync(new Uri(guard.DataAddress, "/weights/agent_2.safetensors"), new StreamContent(new ZeroStream(size)));
        var inspected = await http.PostAsync(new Uri(guard.DataAddress, "/mcp"), new StreamContent(new ZeroStream(1024)));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(size, received);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, inspected.StatusCode);
    }

    private static async Task<string> ReadEventAsync(StreamReader reader)
    {
        var text = new StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0 && text.Length > 0)
            {
                return text.ToString();
            }

            text.AppendLine(line);
        }

        return text.ToString();
    }

    private sealed class ZeroStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
