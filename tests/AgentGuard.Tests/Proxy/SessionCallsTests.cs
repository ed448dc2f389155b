using System.Text.Json;
using AgentGuard.Infrastructure;
using AgentGuard.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AgentGuard.Proxy;

/// <summary>
/// What a session keeps of its calls through the proxy: the calls oversight reads back (the watched
/// submission and mandated tools) and every call that was not simply allowed; plain allowed calls of
/// other tools go to oversight but are not held, so thousands of busy sessions do not hold them all.
/// </summary>
public sealed class SessionCallsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Post_AllowedDeniedAndWatchedCalls_SessionKeepsTheDeniedAndTheWatched()
    {
        await using var upstream = await TestUpstream.StartAsync(async (context, _) =>
        {
            using var request = await JsonDocument.ParseAsync(context.Request.Body);
            context.Response.ContentType = "application/json";
            var id = request.RootElement.GetProperty("id").GetRawText();
            await context.Response.WriteAsync("""{"jsonrpc":"2.0","id":""" + id + ""","result":{"content":[{"type":"text","text":"done"}]}}""");
        });
        var sink = new RecordingOversightSink();
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, services: services => services.AddSingleton<Oversight.IOversightSink>(sink));
        using var http = new HttpClient();

        string[] calls =
        [
            """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_server_files","arguments":{"ip":"10.0.12.45"}}}""",
            """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"modify_var","arguments":{"key":"shutdown_enabled","value":"false"}}}""",
            """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"execute_shutdown","arguments":{"system_id":"gemini_agent_2"}}}""",
            """{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"list_server_files","arguments":{"ip":"10.0.12.46"}}}""",
        ];
        foreach (var call in calls)
        {
            using var response = await Mcp.PostAsync(http, new Uri(guard.DataAddress, "/mcp"), call, request => request.Headers.Add("Mcp-Session-Id", "run-1"));
        }

        // Oversight is told of every call; the session holds only those it may read back.
        Assert.Equal(4, sink.Calls.Count);
        var session = sink.Calls.First().Session;
        var kept = session.Calls();
        Assert.Equal(["modify_var", "execute_shutdown"], kept.Select(c => c.Tool));
        Assert.Equal(DecisionKind.Deny, kept[0].Decision);
        Assert.Equal("""{"system_id":"gemini_agent_2"}""", kept[1].Arguments);
    }
}
