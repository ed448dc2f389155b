using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using AgentGuard.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace AgentGuard.Proxy;

/// <summary>
/// A batch with a denied and an allowed member, against a real tool server that answers the
/// allowed member in the awkward ways servers do: compressed, failing, cut off.
/// </summary>
public sealed class PendingRepliesTransformTests(ITestOutputHelper output)
{
    private const string Allowed = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_server_files","arguments":{"ip":"10.0.12.45"}}}""";
    private const string Denied = """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"modify_var","arguments":{"key":"shutdown_enabled","value":"false"}}}""";
    private const string Batch = "[" + Allowed + "," + Denied + "]";
    private const string AllowedResult = """{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"upstream"}]}}""";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task Post_PartlyDeniedBatchUpstreamCompressedJson_BothAnswersReadableAndUncompressed(string encoding)
    {
        await using var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            await RecordAsync(context, self);
            context.Response.ContentType = "application/json";
            context.Response.Headers.ContentEncoding = encoding;
            await context.Response.Body.WriteAsync(Compress("[" + AllowedResult + "]", encoding));
        });
        await using var guard = await TestGuard.StartAsync(output, upstream.Address);
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None });

        var response = await Mcp.PostAsync(http, new Uri(guard.DataAddress, "/mcp"), Batch).WaitAsync(Deadline);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        var answers = await Mcp.ReadMessagesAsync(response);
        AssertAllowedAnswered(answers);
        AssertDenied(answers);
        Assert.Single(upstream.Received);
    }

    [Theory]
    [InlineData("[ {0} ]\n")]
    [InlineData("\n{0}")]
    public async Task Post_PartlyDeniedBatchUpstreamGzipJsonOverInspectionLimit_StreamedWholeWithDenial(string shape)
    {
        // A result larger than the limit the guard buffers: it still reaches the agent, whole, beside the denial.
        var big = new string('x', 64 * 1024);
        var result = """{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"upstream""" + big + "\"}]}}";
        await using var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            await RecordAsync(context, self);
            context.Response.ContentType = "application/json";
            context.Response.Headers.ContentEncoding = "gzip";
            await context.Response.Body.WriteAsync(Compress(shape.Replace("{0}", result, StringComparison.Ordinal), "gzip"));
        });
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, settings: new Dictionary<string, string?>
        {
            ["AgentGuard:Inspection:MaxBodyBytes"] = "1024",
        });
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.All });

        var response = await Mcp.PostAsync(http, new Uri(guard.DataAddress, "/mcp"), Batch).WaitAsync(Deadline);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answers = await Mcp.ReadMessagesAsync(response);
        var allowed = Assert.Single(answers, a => a.GetProperty("id").ToString() == "1");
        Assert.Equal("upstream" + big, allowed.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        AssertDenied(answers);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task Post_PartlyDeniedBatchUpstreamCompressedSse_EveryEventReadable(string encoding)
    {
        await using var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            await RecordAsync(context, self);
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.ContentEncoding = encoding;
            await context.Response.Body.WriteAsync(Compress("event: message\ndata: " + AllowedResult + "\n\n", encoding));
        });
        await using var guard = await TestGuard.StartAsync(output, upstream.Address);
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.All });

        var response = await Mcp.PostAsync(http, new Uri(guard.DataAddress, "/mcp"), Batch).WaitAsync(Deadline);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var answers = await Mcp.ReadMessagesAsync(response);
        AssertAllowedAnswered(answers);
        AssertDenied(answers);
    }

    [Fact]
    public async Task Post_PartlyDeniedBatchUpstream500Html_StatusKeptAndEveryIdAnsweredInJson()
    {
        await using var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            await RecordAsync(context, self);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html><body>Internal Server Error</body></html>");
        });
        await using var guard = await TestGuard.StartAsync(output, upstream.Address);
        using var http = new HttpClient();

        var response = await Mcp.PostAsync(http, new Uri(guard.DataAddress, "/mcp"), Batch).WaitAsync(Deadline);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var answers = await Mcp.ReadMessagesAsync(response);
        AssertDenied(answers);
        var allowed = Assert.Single(answers, a => a.GetProperty("id").ToString() == "1");
        Assert.Equal(500, allowed.GetProperty("error").GetProperty("data").GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Post_PartlyDeniedBatchUpstream400Json_StatusKeptAndUpstreamErrorMerged()
    {
        await using var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            await RecordAsync(context, self);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Bad Request: no session"}}""");
        });
        await using var guard = await TestGuard.StartAsync(output, upstream.Address);
        using var http = new HttpClient();

        var response = await Mcp.PostAsync(http, new Uri(guard.DataAddress, "/mcp"), Batch).WaitAsync(Deadline);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var answers = await Mcp.ReadMessagesAsync(response);
        AssertDenied(answers);
        Assert.Contains(answers, a => a.GetProperty("id").ValueKind == JsonValueKind.Null && a.GetProperty("error").GetProperty("message").GetString() == "Bad Request: no session");
    }

    [Fact]
    public async Task Post_PartlyDeniedBatchUpstreamJsonCutOff_BadGatewayWithDenialAndUpstreamError()
    {
        await using var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            await RecordAsync(context, self);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = 4096;
            await context.Response.WriteAsync("[" + AllowedResult[..40]);
            await context.Response.Body.FlushAsync();
            context.Abort();
        });
        await using var guard = await TestGuard.StartAsync(output, upstream.Address);
        using var http = new HttpClient();

        var response = await Mcp.PostAsync(http, new Uri(guard.DataAddress, "/mcp"), Batch).WaitAsync(Deadline);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var answers = await Mcp.ReadMessagesAsync(response).WaitAsync(Deadline);
        AssertDenied(answers);
        var allowed = Assert.Single(answers, a => a.GetProperty("id").ToString() == "1");
        Assert.Equal(McpReplies.UpstreamErrorCode, allowed.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Post_PartlyDeniedBatchUpstreamGzipThatDoesNotDecode_BadGatewayWithDenialAndUpstreamError()
    {
        await using var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            await RecordAsync(context, self);
            var body = Compress("[" + AllowedResult + "]", "gzip");
            for (var i = 12; i < body.Length - 8; i += 2)
            {
                body[i] ^= 0x5A;
            }

            context.Response.ContentType = "application/json";
            context.Response.Headers.ContentEncoding = "gzip";
            await context.Response.Body.WriteAsync(body);
        });
        await using var guard = await TestGuard.StartAsync(output, upstream.Address);
        using var http = new HttpClient();

        var response = await Mcp.PostAsync(http, new Uri(guard.DataAddress, "/mcp"), Batch).WaitAsync(Deadline);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var answers = await Mcp.ReadMessagesAsync(response);
        AssertDenied(answers);
        var allowed = Assert.Single(answers, a => a.GetProperty("id").ToString() == "1");
        Assert.Equal(200, allowed.GetProperty("error").GetProperty("data").GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Post_PartlyDeniedBatchUpstreamClosesWithoutAnswer_BadGatewayWithDenialAndUpstreamError()
    {
        await using var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            await RecordAsync(context, self);
            context.Abort();
        });
        await using var guard = await TestGuard.StartAsync(output, upstream.Address);
        using var http = new HttpClient();

        var response = await Mcp.PostAsync(http, new Uri(guard.DataAddress, "/mcp"), Batch).WaitAsync(Deadline);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var answers = await Mcp.ReadMessagesAsync(response).WaitAsync(Deadline);
        AssertDenied(answers);
        Assert.Equal(McpReplies.UpstreamErrorCode, Assert.Single(answers, a => a.GetProperty("id").ToString() == "1").GetProperty("error").GetProperty("code").GetInt32());
        Assert.Single(upstream.Received);
    }

    [Fact]
    public async Task Post_PartlyDeniedBatchUpstreamGzipSseCutOffMidEvent_DenialThenErrorForUnansweredIdThenCleanEnd()
    {
        var cut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            await RecordAsync(context, self);
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.ContentEncoding = "gzip";
            var whole = Compress("event: message\ndata: " + AllowedResult + "\n\n", "gzip");
            await context.Response.StartAsync();
            await context.Response.Body.FlushAsync();
            await cut.Task.WaitAsync(Deadline);
            await context.Response.Body.WriteAsync(whole.AsMemory(0, whole.Length / 2));
            await context.Response.Body.FlushAsync();
            context.Abort();
        });
        await using var guard = await TestGuard.StartAsync(output, upstream.Address);
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.All });
        using var response = await SendStreamingAsync(http, guard);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        // The denial arrives before the tool server has said anything.
        var first = await ReadDataAsync(reader).WaitAsync(Deadline);
        AssertDenied([JsonDocument.Parse(first!).RootElement]);

        cut.SetResult();

        // Then the request the tool server never finished answering gets an error, and the stream ends cleanly.
        var second = await ReadDataAsync(reader).WaitAsync(Deadline);
        var error = JsonDocument.Parse(second!).RootElement;
        Assert.Equal(1, error.GetProperty("id").GetInt32());
        Assert.Equal(McpReplies.UpstreamErrorCode, error.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Null(await ReadDataAsync(reader).WaitAsync(Deadline));
    }

    [Fact]
    public async Task Post_PartlyDeniedBatchUpstreamSseCutOffAfterAnswer_AnswerDeliveredOnceAndCleanEnd()
    {
        var cut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            await RecordAsync(context, self);
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("event: message\ndata: " + AllowedResult + "\n\n");
            await context.Response.Body.FlushAsync();
            await cut.Task.WaitAsync(Deadline);
            await context.Response.WriteAsync("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/pro");
            await context.Response.Body.FlushAsync();
            context.Abort();
        });
        await using var guard = await TestGuard.StartAsync(output, upstream.Address);
        using var http = new HttpClient();
        using var response = await SendStreamingAsync(http, guard);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var messages = new List<JsonElement>
        {
            JsonDocument.Parse((await ReadDataAsync(reader).WaitAsync(Deadline))!).RootElement,
            JsonDocument.Parse((await ReadDataAsync(reader).WaitAsync(Deadline))!).RootElement,
        };
        cut.SetResult();
        while (await ReadDataAsync(reader).WaitAsync(Deadline) is { } data)
        {
            messages.Add(JsonDocument.Parse(data).RootElement);
        }

        // The half event never reaches the agent, and the answered request gets no second answer.
        Assert.Equal(2, messages.Count);
        AssertAllowedAnswered(messages);
        AssertDenied(messages);
    }

    private static async Task<HttpResponseMessage> SendStreamingAsync(HttpClient http, GuardHost guard)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(guard.DataAddress, "/mcp"))
        {
            Content = new StringContent(Batch, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Deadline);
    }

    private static async Task RecordAsync(HttpContext context, TestUpstream self)
    {
        var received = await ReceivedRequest.ReadAsync(context.Request);
        lock (self.Received)
        {
            self.Received.Add(received);
        }
    }

    private static void AssertAllowedAnswered(List<JsonElement> answers)
    {
        var allowed = Assert.Single(answers, a => a.GetProperty("id").ToString() == "1");
        Assert.Equal("upstream", allowed.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
    }

    private static void AssertDenied(List<JsonElement> answers)
    {
        var denied = Assert.Single(answers, a => a.GetProperty("id").ToString() == "2");
        var result = denied.GetProperty("result");
        Assert.True(result.GetProperty("isError").GetBoolean());
        Assert.StartsWith("permission denied (ref: ", result.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The next event's data, or <see langword="null"/> at the end of the stream.</summary>
    private static async Task<string?> ReadDataAsync(StreamReader reader)
    {
        string? data = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0 && data is not null)
            {
                return data;
            }

            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data = line[5..].TrimStart();
            }
        }

        return null;
    }

    private static byte[] Compress(string text, string encoding)
    {
        using var output = new MemoryStream();
        using (Stream stream = encoding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Fastest),
            "deflate" => new ZLibStream(output, CompressionLevel.Fastest),
            _ => new BrotliStream(output, CompressionLevel.Fastest),
        })
        {
            stream.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }
}
