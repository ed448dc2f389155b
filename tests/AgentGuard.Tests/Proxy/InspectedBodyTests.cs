using System.IO.Compression;
using System.Net;
using System.Text;
using AgentGuard.Infrastructure;
using Xunit.Abstractions;

namespace AgentGuard.Proxy;

/// <summary>Request bodies that do not decode with the Content-Encoding they claim, through the real guard.</summary>
public sealed class InspectedBodyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Denied = """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"modify_var","arguments":{"key":"shutdown_enabled","value":"false"}}}""";

    private readonly HttpClient _http = new(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None });
    private TestUpstream _upstream = null!;
    private GuardHost _guard = null!;

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

    [Theory]
    [InlineData("br", "corrupt")]
    [InlineData("br", "truncated")]
    [InlineData("br", "plain")]
    [InlineData("gzip", "corrupt")]
    [InlineData("gzip", "truncated")]
    [InlineData("deflate", "corrupt")]
    [InlineData("deflate", "truncated")]
    [InlineData("deflate", "plain")]
    public async Task Post_UndecodableBody_400ParseErrorAndNothingForwarded(string encoding, string damage)
    {
        var compressed = Compress(Denied, encoding);
        var body = damage switch
        {
            // Flipped bytes past the header: the stream's own structure is broken.
            "corrupt" => Corrupt(compressed),
            "truncated" => compressed[..(compressed.Length / 2)],
            _ => Encoding.UTF8.GetBytes(Denied),
        };

        var response = await Mcp.PostAsync(_http, new Uri(_guard.DataAddress, "/mcp"), body, r => r.Content!.Headers.ContentEncoding.Add(encoding));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = Assert.Single(await Mcp.ReadMessagesAsync(response)).GetProperty("error");
        Assert.Equal(-32700, error.GetProperty("code").GetInt32());
        if (damage != "plain")
        {
            // Not "not valid JSON": a body cut short is told apart from a whole one, whatever the coding.
            Assert.Equal("body does not decode with its Content-Encoding", error.GetProperty("message").GetString());
        }
        Assert.Empty(_upstream.Received);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("raw-deflate")]
    [InlineData("br")]
    public async Task Post_WholeCompressedDeniedCall_DecodedAndDenied(string encoding)
    {
        var body = Compress(Denied, encoding);

        var response = await Mcp.PostAsync(_http, new Uri(_guard.DataAddress, "/mcp"), body, r => r.Content!.Headers.ContentEncoding.Add(encoding == "raw-deflate" ? "deflate" : encoding));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(Assert.Single(await Mcp.ReadMessagesAsync(response)).GetProperty("result").GetProperty("isError").GetBoolean());
        Assert.Empty(_upstream.Received);
    }

    private static byte[] Corrupt(byte[] compressed)
    {
        var copy = (byte[])compressed.Clone();
        for (var i = Math.Min(10, copy.Length / 3); i < copy.Length; i += 3)
        {
            copy[i] ^= 0xA5;
        }

        return copy;
    }

    private static byte[] Compress(string text, string encoding)
    {
        using var output = new MemoryStream();
        using (Stream stream = encoding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Fastest),
            "deflate" => new ZLibStream(output, CompressionLevel.Fastest),
            "raw-deflate" => new DeflateStream(output, CompressionLevel.Fastest),
            _ => new BrotliStream(output, CompressionLevel.Fastest),
        })
        {
            stream.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }
}
