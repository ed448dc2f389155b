using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using AgentGuard.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace AgentGuard.Proxy;

/// <summary>The guard's wire behaviour on an inspected MCP route, against a real recording upstream.</summary>
public sealed class McpInspectionMiddlewareTests(ITestOutputHelper output) : IAsyncLifetime
{
    internal const string Allowed = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_server_files","arguments":{"ip":"10.0.12.45"}}}""";
    internal const string Denied = """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"modify_var","arguments":{"key":"shutdown_enabled","value":"false"}}}""";

    private readonly HttpClient _http = new(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None });
    private TestUpstream _upstream = null!;
    private GuardHost _guard = null!;

    private Uri Endpoint => new(_guard.DataAddress, "/mcp");

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartRecordingAsync();
        _guard = await TestGuard.StartAsync(output, _upstream.Address);
    }

    public async Task DisposeAsync()
    {
        await _guard.DisposeAsync();
        await _upstream.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Post_AllowedCall_ForwardedByteForByteWithoutGuardHeaders()
    {
        var body = Encoding.UTF8.GetBytes(Allowed + "  ");
        var response = await Mcp.PostAsync(_http, Endpoint, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_upstream.Received);
        Assert.Equal(body, received.Body);
        Assert.Equal("/mcp", received.Path);
        Assert.DoesNotContain(received.Headers.Keys, k => k.StartsWith("X-Forwarded", StringComparison.OrdinalIgnoreCase) || k.Equals("Via", StringComparison.OrdinalIgnoreCase));
        Assert.False(response.Headers.Contains("Server"));
        Assert.Equal("upstream", (await Mcp.ReadMessagesAsync(response))[0].GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Post_DeniedToolCall_ToolErrorResultAndNothingForwarded()
    {
        var response = await Mcp.PostAsync(_http, Endpoint, Denied);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = Assert.Single(await Mcp.ReadMessagesAsync(response));
        Assert.Equal(2, message.GetProperty("id").GetInt32());
        var result = message.GetProperty("result");
        Assert.True(result.GetProperty("isError").GetBoolean());
        Assert.Matches(@"^permission denied \(ref: [0-9a-f]{16}\)$", result.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task Post_BatchMixingAllowedAndDenied_OnlyAllowedForwardedAndEveryIdAnswered()
    {
        var batch = "[" + Allowed + "," + Denied + """,{"jsonrpc":"2.0","method":"notifications/progress","params":{}},{"jsonrpc":"2.0","id":"s3","method":"tools/call","params":{"name":"copy_server_file","arguments":{"ip":"10.0.12.45","filename":"gemini_agent_2_model_weight.safetensors"}}}]""";

        var response = await Mcp.PostAsync(_http, Endpoint, batch);

        var received = Assert.Single(_upstream.Received);
        using var forwarded = JsonDocument.Parse(received.Body);
        var forwardedNames = forwarded.RootElement.EnumerateArray().Select(m => m.GetProperty("method").GetString()).ToList();
        Assert.Equal(["tools/call", "notifications/progress"], forwardedNames);
        Assert.Equal(1, forwarded.RootElement[0].GetProperty("id").GetInt32());

        var answers = await Mcp.ReadMessagesAsync(response);
        var ids = answers.Select(a => a.GetProperty("id").ToString()).Order().ToList();
        Assert.Equal(["1", "2", "s3"], ids);
        Assert.All(answers.Where(a => a.GetProperty("id").ToString() != "1"), a => Assert.True(a.GetProperty("result").GetProperty("isError").GetBoolean()));
    }

    [Fact]
    public async Task Post_BatchAllDenied_ArrayOfAnswersAndNothingForwarded()
    {
        var batch = "[" + Denied + """,{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"remove_var","arguments":{"key":"shutdown_enabled"}}}]""";

        var response = await Mcp.PostAsync(_http, Endpoint, batch);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await Mcp.ReadMessagesAsync(response)).Count);
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task Post_DeniedNotification_AcceptedWithoutBodyAndNotForwarded()
    {
        var response = await Mcp.PostAsync(_http, Endpoint,
            """{"jsonrpc":"2.0","method":"tools/call","params":{"name":"remove_var","arguments":{"key":"shutdown_enabled"}}}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Empty(_upstream.Received);
    }

    [Theory]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"", -32700)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"list_files\",\"name\":\"modify_var\"}}", -32700)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"list_files\"}} /* c */", -32700)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}", -32700)]
    [InlineData("[]", -32600)]
    [InlineData("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},42]", -32600)]
    [InlineData("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", -32600)]
    public async Task Post_MalformedBody_400WithJsonRpcErrorAndNothingForwarded(string body, int code)
    {
        var response = await Mcp.PostAsync(_http, Endpoint, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = Assert.Single(await Mcp.ReadMessagesAsync(response)).GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.Matches("^[0-9a-f]{16}$", error.GetProperty("data").GetProperty("ref").GetString());
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task Post_InvalidUtf8_ParseErrorAndNothingForwarded()
    {
        var body = Encoding.UTF8.GetBytes(Denied).ToList();
        body.InsertRange(body.IndexOf((byte)'s'), [0xC3, 0x28]);

        var response = await Mcp.PostAsync(_http, Endpoint, body.ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task Post_OverSizeLimit_413AndNothingForwarded()
    {
        var padding = new string('a', 5 * 1024 * 1024);
        var body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"list_files\",\"arguments\":{\"pad\":\"" + padding + "\"}}}";

        var response = await Mcp.PostAsync(_http, Endpoint, body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task Post_GzipDeniedCall_DecodedAndDenied()
    {
        var response = await Mcp.PostAsync(_http, Endpoint, Gzip(Denied), r => r.Content!.Headers.ContentEncoding.Add("gzip"));

        var message = Assert.Single(await Mcp.ReadMessagesAsync(response));
        Assert.True(message.GetProperty("result").GetProperty("isError").GetBoolean());
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task Post_GzipAllowedCall_ForwardedStillCompressed()
    {
        var compressed = Gzip(Allowed);
        var response = await Mcp.PostAsync(_http, Endpoint, compressed, r => r.Content!.Headers.ContentEncoding.Add("gzip"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_upstream.Received);
        Assert.Equal(compressed, received.Body);
        Assert.Equal("gzip", received.Headers["Content-Encoding"]);
    }

    [Fact]
    public async Task Post_DeflateDeniedCall_DecodedAndDenied()
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Fastest))
        {
            zlib.Write(Encoding.UTF8.GetBytes(Denied));
        }

        var response = await Mcp.PostAsync(_http, Endpoint, output.ToArray(), r => r.Content!.Headers.ContentEncoding.Add("deflate"));

        Assert.True(Assert.Single(await Mcp.ReadMessagesAsync(response)).GetProperty("result").GetProperty("isError").GetBoolean());
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task Post_GzipBombOverLimit_413AndNothingForwarded()
    {
        var bomb = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"list_files\",\"arguments\":{\"pad\":\"" + new string(' ', 20 * 1024 * 1024) + "\"}}}";

        var response = await Mcp.PostAsync(_http, Endpoint, Gzip(bomb), r => r.Content!.Headers.ContentEncoding.Add("gzip"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(_upstream.Received);
    }

    [Theory]
    [InlineData("zstd")]
    [InlineData("compress")]
    [InlineData("gzip, gzip")]
    public async Task Post_UnsupportedContentEncoding_415AndNothingForwarded(string encoding)
    {
        var response = await Mcp.PostAsync(_http, Endpoint, Gzip(Denied), r => r.Content!.Headers.TryAddWithoutValidation("Content-Encoding", encoding));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task Post_CorruptGzip_400AndNothingForwarded()
    {
        var response = await Mcp.PostAsync(_http, Endpoint, Encoding.UTF8.GetBytes(Denied), r => r.Content!.Headers.ContentEncoding.Add("gzip"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_upstream.Received);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json; charset=utf-16")]
    public async Task Post_NotJsonContentType_415AndNothingForwarded(string contentType)
    {
        var response = await Mcp.PostAsync(_http, Endpoint, Denied, r => r.Content!.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Empty(_upstream.Received);
    }

    [Theory]
    [InlineData("Mcp-Method", "tools/list")]
    [InlineData("Mcp-Name", "list_files")]
    [InlineData("Mcp-Name", "=?base64?bGlzdF9maWxlcw==?=")]
    [InlineData("Mcp-Param-Key", "harmless")]
    public async Task Post_HeaderDisagreesWithBody_400HeaderMismatchAndNothingForwarded(string header, string value)
    {
        var response = await Mcp.PostAsync(_http, Endpoint, Denied, r => r.Headers.TryAddWithoutValidation(header, value));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(-32020, Assert.Single(await Mcp.ReadMessagesAsync(response)).GetProperty("error").GetProperty("code").GetInt32());
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task Post_HeadersAgreeWithBody_Forwarded()
    {
        var response = await Mcp.PostAsync(_http, Endpoint, Allowed, r =>
        {
            r.Headers.Add("Mcp-Method", "tools/call");
            r.Headers.Add("Mcp-Name", "=?base64?bGlzdF9zZXJ2ZXJfZmlsZXM=?=");
            r.Headers.Add("Mcp-Param-Ip", "10.0.12.45");
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_upstream.Received);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("HEAD")]
    [InlineData("OPTIONS")]
    [InlineData("TRACE")]
    public async Task OtherMethod_OnMcpRoute_405WithAllowAndNothingForwarded(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), Endpoint);
        if (method is "PUT" or "PATCH")
        {
            request.Content = new StringContent(Denied, Encoding.UTF8, "application/json");
        }

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "POST", "DELETE"], response.Content.Headers.Allow);
        if (method != "HEAD")
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(405, problem.GetProperty("status").GetInt32());
            Assert.Matches("^[0-9a-f]{16}$", problem.GetProperty("ref").GetString());
        }

        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task Get_WithoutEventStreamAccept_405AndNothingForwarded()
    {
        // In front of a store that also speaks REST, a plain GET would read whatever the path names.
        using var plain = new HttpRequestMessage(HttpMethod.Get, new Uri(_guard.DataAddress, "/models/gemini_agent_2_model_weight.safetensors"));
        using var json = new HttpRequestMessage(HttpMethod.Get, Endpoint);
        json.Headers.Accept.ParseAdd("application/json");
        using var refused = new HttpRequestMessage(HttpMethod.Get, Endpoint);
        refused.Headers.Accept.ParseAdd("text/event-stream;q=0");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await _http.SendAsync(plain)).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await _http.SendAsync(json)).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await _http.SendAsync(refused)).StatusCode);
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task Delete_WithoutSessionId_405AndNothingForwarded()
    {
        using var weights = new HttpRequestMessage(HttpMethod.Delete, new Uri(_guard.DataAddress, "/models/gemini_agent_2_model_weight.safetensors"));
        using var empty = new HttpRequestMessage(HttpMethod.Delete, Endpoint);
        empty.Headers.TryAddWithoutValidation("Mcp-Session-Id", "");

        var response = await _http.SendAsync(weights);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "POST", "DELETE"], response.Content.Headers.Allow);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await _http.SendAsync(empty)).StatusCode);
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task Delete_WithSessionAndBody_405AndNothingForwarded()
    {
        // The transport's DELETE has no body; one with a body would carry something unread.
        using var delete = new HttpRequestMessage(HttpMethod.Delete, Endpoint) { Content = new StringContent(Denied, Encoding.UTF8, "application/json") };
        delete.Headers.Add("Mcp-Session-Id", "s-1");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await _http.SendAsync(delete)).StatusCode);
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task GetEventStream_ToolServerAnswersSomethingElse_502WithoutTheBody()
    {
        // A REST store behind the same route serves files to any GET, whatever it asks to accept.
        await using var store = await TestUpstream.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "application/octet-stream";
            await context.Response.WriteAsync("SAFETENSORS-WEIGHTS");
        });
        await using var guard = await TestGuard.StartAsync(output, store.Address);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(guard.DataAddress, "/models/gemini_agent_2_model_weight.safetensors"));
        request.Headers.Accept.ParseAdd("text/event-stream");

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.DoesNotContain("SAFETENSORS", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEventStreamAndDeleteWithSession_OnMcpRoute_Forwarded()
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, Endpoint);
        get.Headers.Accept.ParseAdd("text/event-stream");
        get.Headers.Add("Mcp-Session-Id", "s-1");
        using var delete = new HttpRequestMessage(HttpMethod.Delete, Endpoint);
        delete.Headers.Add("Mcp-Session-Id", "s-1");

        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(get)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(delete)).StatusCode);

        Assert.Equal(["GET", "DELETE"], _upstream.Received.Select(r => r.Method));
    }

    [Fact]
    public async Task AdminRoutes_NotServedOnDataPlane()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(new Uri(_guard.AdminAddress, "/healthz"))).StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_guard.DataAddress, "/healthz"));
        request.Headers.Accept.ParseAdd("text/event-stream");
        await _http.SendAsync(request);

        // The data plane proxies the path like any other: the guard itself never answers it.
        Assert.Equal("/healthz", Assert.Single(_upstream.Received).Path);
    }

    internal static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }
}
