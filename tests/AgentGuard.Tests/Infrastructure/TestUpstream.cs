using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AgentGuard.Infrastructure;

/// <summary>A real Kestrel server on loopback whose behaviour a test writes, and that remembers what reached it.</summary>
internal sealed class TestUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestUpstream(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Every request that arrived: method, path, headers and body.</summary>
    public List<ReceivedRequest> Received { get; } = [];

    public static async Task<TestUpstream> StartAsync(Func<HttpContext, TestUpstream, Task> handler)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.AddServerHeader = false;
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        TestUpstream? upstream = null;
        app.Run(async context =>
        {
            await handler(context, upstream!);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        upstream = new TestUpstream(app, new Uri(address));
        return upstream;
    }

    /// <summary>
    /// An upstream that records each request and answers 200 with a fixed JSON-RPC result, as JSON,
    /// or as one SSE event to a GET (as an MCP server opens its event stream).
    /// </summary>
    public static Task<TestUpstream> StartRecordingAsync()
        => StartAsync(async (context, self) =>
        {
            var received = await ReceivedRequest.ReadAsync(context.Request);
            lock (self.Received)
            {
                self.Received.Add(received);
            }

            const string Result = """{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"upstream"}]}}""";
            if (HttpMethods.IsGet(context.Request.Method))
            {
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync("event: message\ndata: " + Result + "\n\n");
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Result);
        });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public static async Task<ReceivedRequest> ReadAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        return new ReceivedRequest(request.Method, request.Path + request.QueryString, headers, body.ToArray());
    }

    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}
