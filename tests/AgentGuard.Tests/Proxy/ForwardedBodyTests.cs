using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AgentGuard.Infrastructure;
using Xunit.Abstractions;

namespace AgentGuard.Proxy;

/// <summary>
/// An inspected call's body, which the guard already holds whole, goes to the tool server in the
/// same write as the request's headers (YARP alone writes the headers, then streams the body), and
/// arrives exactly as it was sent. The guard's upstream connections are counted write by write
/// (<see cref="UpstreamWrites"/>).
/// </summary>
public sealed class ForwardedBodyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Allowed = McpInspectionMiddlewareTests.Allowed;
    private const string Denied = McpInspectionMiddlewareTests.Denied;

    private readonly HttpClient _http = new(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None });
    private readonly UpstreamWrites _writes = new();
    private TestUpstream _upstream = null!;
    private GuardHost _guard = null!;

    private Uri Endpoint => new(_guard.DataAddress, "/mcp");

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartRecordingAsync();
        _guard = await TestGuard.StartAsync(output, _upstream.Address, services: _writes.Register);
    }

    public async Task DisposeAsync()
    {
        await _guard.DisposeAsync();
        await _upstream.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task An_allowed_call_goes_upstream_in_one_write_byte_for_byte()
    {
        var body = Encoding.UTF8.GetBytes(" " + Allowed + "\n");

        var response = await Mcp.PostAsync(_http, Endpoint, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_upstream.Received);
        Assert.Equal(body, received.Body);
        Assert.Equal("application/json", received.Headers["Content-Type"]);
        Assert.Equal(body.Length.ToString(), received.Headers["Content-Length"]);
        var write = Assert.Single(_writes);
        Assert.True(write > body.Length, $"one write of {write} bytes: the headers and the {body.Length}-byte body");
    }

    [Fact]
    public async Task A_compressed_call_goes_upstream_in_one_write_still_compressed()
    {
        var compressed = McpInspectionMiddlewareTests.Gzip(Allowed);

        var response = await Mcp.PostAsync(_http, Endpoint, compressed, r => r.Content!.Headers.ContentEncoding.Add("gzip"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_upstream.Received);
        Assert.Equal(compressed, received.Body);
        Assert.Equal("gzip", received.Headers["Content-Encoding"]);
        Assert.Single(_writes);
    }

    [Fact]
    public async Task A_batch_with_a_denied_member_forwards_the_rest_in_one_write()
    {
        var response = await Mcp.PostAsync(_http, Endpoint, "[" + Allowed + "," + Denied + "]");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_upstream.Received);
        using var forwarded = JsonDocument.Parse(received.Body);
        Assert.Equal(1, Assert.Single(forwarded.RootElement.EnumerateArray()).GetProperty("id").GetInt32());
        Assert.Equal(received.Body.Length.ToString(), received.Headers["Content-Length"]);
        Assert.Single(_writes);
    }

    [Fact]
    public async Task A_call_the_agent_sent_chunked_arrives_whole()
    {
        var body = Encoding.UTF8.GetBytes(Allowed);
        var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new StreamContent(new MemoryStream(body)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(_upstream.Received).Body);
    }

    [Fact]
    public async Task A_denied_call_writes_nothing_upstream()
    {
        var response = await Mcp.PostAsync(_http, Endpoint, Denied);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_upstream.Received);
        Assert.Empty(_writes);
    }
}
